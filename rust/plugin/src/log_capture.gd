extends Logger
## Keeps what the engine logs (prints, errors, warnings) until the godot_ai_native library
## takes it, once per frame on the main thread; the library builds this script in memory.
## Godot calls a logger from any thread, at the same time, so every access to the queue holds
## the mutex; the library itself never runs here.

## The most entries kept between two takes; older ones are dropped and counted.
const LIMIT := 2000

var _mutex := Mutex.new()
var _entries: Array = []
var _dropped := 0


func _log_message(message: String, error: bool) -> void:
	_push(["error" if error else "info", message.trim_suffix("\n"), "", 0, "", -1])


func _log_error(function: String, file: String, line: int, code: String, rationale: String,
		_editor_notify: bool, error_type: int, script_backtraces: Array[ScriptBacktrace]) -> void:
	var text := rationale if not rationale.is_empty() else code
	var level := "warn" if error_type == ERROR_TYPE_WARNING else "error"
	# The script frame that raised it, when a script did: push_error's own location is C++.
	for backtrace in script_backtraces:
		if backtrace.get_frame_count() > 0:
			file = backtrace.get_frame_file(0)
			line = backtrace.get_frame_line(0)
			function = backtrace.get_frame_function(0)
			break
	_push([level, text, file, line, function, error_type])


## Everything logged since the last take, oldest first, then the count of dropped entries.
func take() -> Array:
	_mutex.lock()
	var taken := [_entries, _dropped]
	_entries = []
	_dropped = 0
	_mutex.unlock()
	return taken


func _push(entry: Array) -> void:
	_mutex.lock()
	if _entries.size() >= LIMIT:
		_entries.pop_front()
		_dropped += 1
	_entries.append(entry)
	_mutex.unlock()
