/* Loads a GDExtension DLL the way Godot does on Windows (LoadLibraryW), then looks up its
 * entry symbol. Built with zig for x86_64 Windows and run under wine by `cargo xtask package`:
 * it proves the DLL's imports all resolve and its initialisers run without a Godot. */
#include <stdio.h>
#include <wchar.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv) {
    if (argc != 3) {
        fwprintf(stderr, L"usage: load_library <dll> <symbol>\n");
        return 2;
    }
    HMODULE library = LoadLibraryW(argv[1]);
    if (library == NULL) {
        fwprintf(stderr, L"LoadLibraryW(%ls) failed: error %lu\n", argv[1], GetLastError());
        return 1;
    }
    char symbol[256];
    if (WideCharToMultiByte(CP_UTF8, 0, argv[2], -1, symbol, sizeof symbol, NULL, NULL) == 0) {
        fwprintf(stderr, L"symbol name too long\n");
        return 2;
    }
    FARPROC entry = GetProcAddress(library, symbol);
    if (entry == NULL) {
        fwprintf(stderr, L"GetProcAddress(%hs) failed: error %lu\n", symbol, GetLastError());
        return 1;
    }
    wprintf(L"loaded %ls; %hs found\n", argv[1], symbol);
    FreeLibrary(library);
    return 0;
}
