//! The rmcp [`ServerHandler`]: answers `initialize`, `tools/list` and `tools/call` by looking
//! tools up in the [`catalog`](crate::catalog) and running their commands on the editor.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use godot_ai_executor::{Executed, ExecutorHandle, MainThreadTime};
use godot_ai_protocol::custom_tools::CustomToolCatalog;
use godot_ai_protocol::godot_ai_commands::CUSTOM_TOOL_PREFIX;
use godot_ai_protocol::reply_size::{MAX_REPLY_BYTES, fit_reply};
use godot_ai_protocol::{Command, CommandError, JsonObject};
use rmcp::ErrorData as McpError;
use rmcp::RoleServer;
use rmcp::ServerHandler;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
    CompleteRequestParams, CompleteResult, ContentBlock, CreateTaskResult, GetPromptRequestParams,
    GetPromptResponse, GetTaskParams, GetTaskResult, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    ServerCapabilities, ServerConfig, SubscribeRequestParams, SubscriptionFilter, Tool,
    UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::activity::{Activity, CallRecord, Caller};
use crate::catalog::{self, ToolSpec};
use crate::completions;
use crate::custom_tools::{self, CustomTools};
use crate::editor_events::EditorEvents;
use crate::fixtures;
use crate::notices::{self, SessionNotices, ToolListChanges};
use crate::progress::{self, Cancelled};
use crate::prompts;
use crate::resources;
use crate::stale_session::SESSION_HEADER;
use crate::tasks::{self, EditorTasks};

/// How long the lists that cannot change while the editor runs (prompts, resources, templates)
/// may be reused without asking again.
const STATIC_LIST_TTL_MS: u64 = 60_000;

/// The name this endpoint reports in `serverInfo`.
pub const SERVER_NAME: &str = "godot-ai-native";

const INSTRUCTIONS: &str = "Tools to inspect and drive the Godot editor this endpoint runs in. \
Tool names, arguments and results follow godot-ai 3.2.5. Errors come back as tool results \
whose text starts with an error code such as NODE_NOT_FOUND.";

/// One MCP session's handler. Cheap to create: rmcp makes one per session.
#[derive(Clone)]
pub struct GodotMcpServer {
    executor: ExecutorHandle,
    tools: Arc<[Tool]>,
    /// This editor's session id; empty accepts any `session_id` argument.
    editor_session_id: Arc<str>,
    /// Where calls are recorded for the editor's dock.
    activity: Activity,
    /// The project's custom tools (the promoted ones are listed as tools).
    custom_tools: CustomTools,
    /// What the editor publishes as it happens.
    events: EditorEvents,
    /// What this session asked to be told (log level, subscriptions).
    notices: SessionNotices,
    /// Whether the conformance suite's fixtures are served too.
    fixtures: bool,
    /// The fixture tool that comes and goes (shared by the endpoint's sessions).
    dynamic_tool: fixtures::dynamic_tool::DynamicTool,
    /// The endpoint's tasks (shared by its sessions).
    tasks: EditorTasks,
}

impl GodotMcpServer {
    /// A handler that runs tool calls through `executor`.
    pub fn new(executor: ExecutorHandle) -> Self {
        Self {
            executor,
            tools: published_tools(),
            editor_session_id: Arc::from(""),
            activity: Activity::new(),
            custom_tools: CustomTools::new(watch::channel(CustomToolCatalog::default()).1),
            events: EditorEvents::new(),
            notices: SessionNotices::default(),
            fixtures: false,
            dynamic_tool: fixtures::dynamic_tool::DynamicTool::default(),
            tasks: EditorTasks::new(),
        }
    }

    /// Keeps the tasks its long calls start in `tasks`, made once per endpoint and shared by
    /// its sessions (see [`EditorTasks`]).
    pub fn with_tasks(mut self, tasks: EditorTasks) -> Self {
        self.tasks = tasks;
        self
    }

    /// Starts `spec`'s call as a task: the client polls `tasks/get` for its result.
    fn start_task(
        &self,
        spec: &'static ToolSpec,
        arguments: JsonObject,
        caller: Caller,
    ) -> CallToolResponse {
        let server = self.clone();
        let task = self.tasks.start(spec.name, move |withdrawal| async move {
            let server = GodotMcpServer {
                executor: server.executor.clone().withdrawable(withdrawal),
                ..server
            };
            server.call(spec, arguments, &caller).await
        });
        CallToolResponse::Task(CreateTaskResult::new(task))
    }

    /// Serves the conformance suite's fixtures too (see [`crate::fixtures`]), with the tool
    /// that comes and goes made once per endpoint and shared by its sessions.
    pub fn with_fixtures(
        mut self,
        fixtures: bool,
        dynamic_tool: fixtures::dynamic_tool::DynamicTool,
    ) -> Self {
        self.fixtures = fixtures;
        self.dynamic_tool = dynamic_tool;
        self
    }

    /// True when `uri` is a resource this server has.
    fn has_resource(&self, uri: &str) -> bool {
        resources::exists(uri) || (self.fixtures && fixtures::resources::exists(uri))
    }

    /// Tells this session of `events`' log lines and changes, once it asks.
    pub fn with_events(mut self, events: EditorEvents) -> Self {
        self.events = events;
        self
    }

    /// Lists the promoted tools of `catalog` and tells the session when it changes.
    /// `tools` is made once per endpoint and shared by its sessions (see [`CustomTools`]).
    pub fn with_custom_tools(mut self, tools: CustomTools) -> Self {
        self.custom_tools = tools;
        self
    }

    /// Runs the custom tool `name` (called by its promoted name) with the call's arguments.
    async fn call_custom(
        &self,
        tool_name: &str,
        name: &str,
        arguments: JsonObject,
        caller: &Caller,
    ) -> CallToolResult {
        let started = Instant::now();
        let command = Command::new(format!("{CUSTOM_TOOL_PREFIX}{name}"), arguments);
        let Executed {
            result,
            main_thread,
        } = self.executor.execute_measured(command).await;
        self.activity.record(
            caller,
            CallRecord {
                at: SystemTime::now(),
                client: String::new(),
                tool: tool_name.to_owned(),
                op: None,
                duration: started.elapsed(),
                main_thread: main_thread.map(|spent| spent.total),
                error: result
                    .as_ref()
                    .err()
                    .map(|error| error.code.as_str().to_owned()),
                undoable: result
                    .as_ref()
                    .is_ok_and(|data| data.get("undoable") == Some(&Value::Bool(true))),
            },
        );
        match result {
            Ok(data) => success(data, false),
            Err(error) => failure(&error),
        }
    }

    /// Records sessions and calls in `activity` (shared with the dock).
    pub fn with_activity(mut self, activity: Activity) -> Self {
        self.activity = activity;
        self
    }

    /// Refuses tool calls whose `session_id` names another editor than `id`.
    pub fn for_editor_session(mut self, id: Arc<str>) -> Self {
        self.editor_session_id = id;
        self
    }

    async fn call(
        &self,
        spec: &ToolSpec,
        arguments: JsonObject,
        caller: &Caller,
    ) -> CallToolResult {
        let started = Instant::now();
        let op = arguments
            .get("op")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let Executed {
            result,
            main_thread,
        } = match self.check_session(spec, &arguments) {
            Err(error) => Executed {
                result: Err(error),
                main_thread: None,
            },
            Ok(()) => spec.run(&self.executor, arguments).await,
        };
        let record = CallRecord {
            at: SystemTime::now(),
            client: String::new(),
            tool: spec.name.to_owned(),
            op,
            duration: started.elapsed(),
            main_thread: main_thread.map(|spent| spent.total),
            error: result
                .as_ref()
                .err()
                .map(|error| error.code.as_str().to_owned()),
            undoable: result
                .as_ref()
                .is_ok_and(|data| data.get("undoable") == Some(&Value::Bool(true))),
        };
        // The test tools look at the dock; recording them would change what they look at.
        if !catalog::test_hooks::TEST_TOOLS
            .iter()
            .any(|tool| tool.name == spec.name)
        {
            self.activity.record(caller, record);
        }
        let mut reply = match result {
            Ok(data) => success(data, spec.answers_images()),
            Err(error) => failure(&error),
        };
        if let Some(spent) = main_thread {
            reply.meta = Some(main_thread_meta(spent));
        }
        reply
    }
}

/// The `_meta` key of a tool result that says how long the call held the editor's main thread,
/// in milliseconds, over all the frames it took (the time the editor's UI could not respond
/// because of it).
pub const MAIN_THREAD_MS_META: &str = "godot-ai-native/main_thread_ms";

/// The `_meta` key for the call's longest hold of one frame, in milliseconds: a call done in
/// slices over several frames froze the UI this long at most.
pub const MAIN_THREAD_LONGEST_MS_META: &str = "godot-ai-native/main_thread_longest_ms";

/// The `_meta` key for how many frames the call ran in.
pub const MAIN_THREAD_FRAMES_META: &str = "godot-ai-native/main_thread_frames";

fn main_thread_meta(spent: MainThreadTime) -> rmcp::model::MetaObject {
    let millis = |time: Duration| (time.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    let mut meta = JsonObject::new();
    meta.insert(MAIN_THREAD_MS_META.to_owned(), json!(millis(spent.total)));
    meta.insert(
        MAIN_THREAD_LONGEST_MS_META.to_owned(),
        json!(millis(spent.longest)),
    );
    meta.insert(MAIN_THREAD_FRAMES_META.to_owned(), json!(spent.frames));
    rmcp::model::MetaObject(meta)
}

/// The published tool list, built once per process and shared by every session: the schemas
/// are the bulk of a session's memory otherwise (about 200 KB each).
fn published_tools() -> Arc<[Tool]> {
    static TOOLS: OnceLock<Arc<[Tool]>> = OnceLock::new();
    TOOLS
        .get_or_init(|| catalog::offered().map(ToolSpec::to_mcp_tool).collect())
        .clone()
}

impl GodotMcpServer {
    /// Every tool takes an optional `session_id` (godot-ai's server routes by it). This endpoint
    /// lives in one editor: a call naming another session must not silently run here.
    /// (`session_activate` answers for itself.)
    fn check_session(&self, spec: &ToolSpec, arguments: &JsonObject) -> Result<(), CommandError> {
        let ours = &*self.editor_session_id;
        match arguments.get("session_id").and_then(Value::as_str) {
            Some(wanted)
                if !wanted.is_empty()
                    && !ours.is_empty()
                    && wanted != ours
                    && spec.name != "session_activate" =>
            {
                Err(CommandError::new(
                    godot_ai_protocol::ErrorCode::InvalidParams,
                    format!(
                        "Session {wanted} not found: this endpoint runs inside one editor, session \
                         {ours}. Omit session_id or pass {ours}."
                    ),
                )
                .with_data("session_id", wanted)
                .with_data("available", ours))
            }
            _ => Ok(()),
        }
    }
}

/// A successful result the way godot-ai returns it: the data as JSON text and as
/// `structuredContent`; for a tool that `answers_images` (the screenshot: data with
/// `image_base64`, or a coverage sweep's `images`), its metadata in text and each PNG as an
/// image block.
///
/// Data beyond [`MAX_REPLY_BYTES`] is summarised first ([`fit_reply`]). Nothing in-process
/// limits a reply (rmcp streams any size), but the data goes out twice (text and
/// `structuredContent`), so a write echoing 5 MiB answers over 10 MiB of JSON that agents
/// load into their context: useless to them, and slow or fatal for some clients. The same
/// budget as the bridge's keeps both front doors answering alike. A reply that cannot be
/// summarised that small (rare: many small values) is sent whole: still the truth.
fn success(mut data: JsonObject, answers_images: bool) -> CallToolResult {
    let images = if answers_images {
        take_images(&mut data)
    } else {
        Vec::new()
    };
    if !images.is_empty() {
        let metadata = Value::Object(fitted(data)).to_string();
        let mut content = vec![ContentBlock::text(metadata)];
        content.extend(
            images
                .into_iter()
                .map(|image| ContentBlock::image(image, "image/png")),
        );
        return CallToolResult::success(content);
    }
    let value = Value::Object(fitted(data));
    let mut result = CallToolResult::success(vec![ContentBlock::text(value.to_string())]);
    result.structured_content = Some(value);
    result
}

/// The PNGs (base64) a screenshot's data carries, taken out of it: its `image_base64`, or each
/// entry's of a coverage sweep's `images`, in order.
fn take_images(data: &mut JsonObject) -> Vec<String> {
    let mut images = Vec::new();
    if let Some(Value::String(image)) = data.remove("image_base64") {
        images.push(image);
    }
    if let Some(Value::Array(entries)) = data.get_mut("images") {
        for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::String(image)) = entry.remove("image_base64") {
                images.push(image);
            }
        }
    }
    images
}

/// `data` within [`MAX_REPLY_BYTES`], or whole when it cannot be.
fn fitted(data: JsonObject) -> JsonObject {
    match fit_reply(data, MAX_REPLY_BYTES) {
        Ok(data) => data,
        Err(oversized) => {
            tracing::debug!(
                "a {}-byte tool result cannot be summarised under {MAX_REPLY_BYTES} bytes \
                 (at best {}); sending it whole",
                oversized.bytes,
                oversized.smallest_bytes
            );
            oversized.data
        }
    }
}

/// A tool error the way godot-ai returns it: `isError: true`, text starting with the code, and
/// `structuredContent: {"error": {code, message, data}}`.
fn failure(error: &CommandError) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(error.to_tool_text())]);
    result.structured_content = Some(json!({
        "error": {
            "code": error.code,
            "message": error.message,
            "data": error.data.clone().unwrap_or_default(),
        }
    }));
    result
}

impl ServerHandler for GodotMcpServer {
    #[allow(deprecated)] // Logging: current in 2025-11-25, dropped by 2026-07-28.
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_logging()
                .enable_completions()
                .enable_prompts()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_tasks()
                .build(),
        )
        .with_server_info(Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        self.activity.seen(&caller_of(&context));
        let mut tools = self.tools.to_vec();
        tools.extend(custom_tools::promoted_tools(&self.custom_tools.catalog()));
        if self.fixtures {
            tools.extend(fixtures::tools::list());
            tools.extend(self.dynamic_tool.listed());
        }
        // Custom tools come and go: clients revalidate, and hear of changes (list_changed).
        Ok(ListToolsResult::with_all_items(tools)
            .with_ttl_ms(0)
            .with_cache_scope(CacheScope::Private))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let mut listed = resources::list();
        if self.fixtures {
            listed.extend(fixtures::resources::list());
        }
        Ok(ListResourcesResult::with_all_items(listed)
            .with_ttl_ms(STATIC_LIST_TTL_MS)
            .with_cache_scope(CacheScope::Private))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let mut listed = resources::templates();
        if self.fixtures {
            listed.extend(fixtures::resources::templates());
        }
        Ok(ListResourceTemplatesResult::with_all_items(listed)
            .with_ttl_ms(STATIC_LIST_TTL_MS)
            .with_cache_scope(CacheScope::Private))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        if self.fixtures
            && let Some(contents) = fixtures::resources::read(&request.uri)
        {
            return Ok(ReadResourceResult::new(vec![contents])
                .with_ttl_ms(0)
                .with_cache_scope(CacheScope::Private)
                .into());
        }
        let Some(body) = resources::read(&self.executor, &request.uri).await else {
            return Err(no_resource(&request.uri));
        };
        let contents = ResourceContents::text(body.to_string(), request.uri)
            .with_mime_type("application/json");
        // Live editor state: read again every time.
        Ok(ReadResourceResult::new(vec![contents])
            .with_ttl_ms(0)
            .with_cache_scope(CacheScope::Private)
            .into())
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools
            .iter()
            .find(|tool| tool.name == name)
            .cloned()
            .or_else(|| {
                custom_tools::promoted_tools(&self.custom_tools.catalog())
                    .into_iter()
                    .find(|tool| tool.name == name)
            })
            .or_else(|| self.fixtures.then(|| fixtures::tools::find(name)).flatten())
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.custom_tools.announce_to(context.peer);
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let custom = catalog::find(&request.name)
            .is_none()
            .then(|| custom_tools::called_tool(&self.custom_tools.catalog(), &request.name))
            .flatten();
        if let Some(name) = custom {
            let arguments = request.arguments.unwrap_or_default();
            let caller = caller_of(&context);
            let work = self.call_custom(&request.name, &name, arguments, &caller);
            return progress::watched(&request.name, work, &context)
                .await
                .map(Into::into)
                .map_err(cancelled);
        }
        if self.fixtures
            && let Some(result) = self.dynamic_tool.call(&request.name)
        {
            return Ok(result.into());
        }
        if self.fixtures && fixtures::tasks::is_tool(&request.name) {
            return fixtures::tasks::call(&request, &context, self.tasks.manager()).await;
        }
        if self.fixtures && fixtures::tools::is_fixture(&request.name) {
            return fixtures::tools::respond(&request, &context).await;
        }
        let Some(spec) = catalog::find(&request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "Unknown tool '{}'. Call tools/list for the tools this editor offers.",
                    request.name
                ),
                None,
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        let caller = caller_of(&context);
        if tasks::declared(&context)
            && tasks::runs_long(spec.name, &arguments)
            && self.tasks.has_room()
        {
            return Ok(self.start_task(spec, arguments, caller));
        }
        progress::watched(spec.name, self.call(spec, arguments, &caller), &context)
            .await
            .map(Into::into)
            .map_err(cancelled)
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        let task = self.tasks.manager().get_task(&request.task_id)?;
        Ok(GetTaskResult::new(task))
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.tasks
            .manager()
            .update_task(&request.task_id, request.input_responses)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.tasks.manager().cancel_task(&request.task_id)
    }

    #[allow(deprecated)] // Current in 2025-11-25; 2026-07-28 drops it.
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.notices
            .set_level(request.level, &self.events, &context.peer);
        Ok(())
    }

    /// 2026-07-28 `subscriptions/listen`: the tool list (it changes as addons register custom
    /// tools) and updates of any `godot://` resource there is.
    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = SubscriptionFilter::new();
        accepted.tools_list_changed = requested.tools_list_changed.filter(|wanted| *wanted);
        accepted.resource_subscriptions = requested.resource_subscriptions.as_ref().map(|uris| {
            uris.iter()
                .filter(|uri| self.has_resource(uri))
                .cloned()
                .collect()
        });
        Some(accepted)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), McpError> {
        let accepted = context.accepted().clone();
        let tools = (accepted.tools_list_changed == Some(true)).then(|| {
            let changes = ToolListChanges::new(self.custom_tools.watch());
            if self.fixtures {
                changes.with_fixture(self.dynamic_tool.watch())
            } else {
                changes
            }
        });
        let stop = context.request_context().ct.clone();
        notices::listen(
            accepted.resource_subscriptions.unwrap_or_default(),
            tools,
            &self.events,
            context.sink().clone(),
            stop,
        )
        .await;
        Ok(())
    }

    #[allow(deprecated)] // 2026-07-28 replaces it with subscriptions/listen.
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        if !self.has_resource(&request.uri) {
            return Err(no_resource(&request.uri));
        }
        self.notices
            .subscribe(&request.uri, &self.events, &context.peer);
        Ok(())
    }

    #[allow(deprecated)] // 2026-07-28 replaces it with subscriptions/listen.
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        // Unsubscribing from something never subscribed is harmless: nothing changes.
        self.notices.unsubscribe(&request.uri);
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        Ok(CompleteResult::new(
            completions::complete(&self.executor, &request).await,
        ))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        let mut listed = prompts::list();
        if self.fixtures {
            listed.extend(fixtures::prompts::list());
        }
        Ok(ListPromptsResult::with_all_items(listed)
            .with_ttl_ms(STATIC_LIST_TTL_MS)
            .with_cache_scope(CacheScope::Private))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        if self.fixtures
            && let Some(answer) = fixtures::input_required::get_prompt(&request, &context)
        {
            return answer;
        }
        let arguments = request.arguments.unwrap_or_default();
        if self.fixtures
            && let Some(prompt) = fixtures::prompts::get(&request.name, &arguments)
        {
            return prompt.map(Into::into);
        }
        prompts::get(&self.executor, &request.name, &arguments)
            .await
            .map(Into::into)
    }
}

/// The answer to a call its client cancelled (clients ignore it; rmcp may not even send it).
fn cancelled(Cancelled: Cancelled) -> McpError {
    McpError::new(
        // JSON-RPC's "request cancelled" (LSP's RequestCancelled), which MCP does not define.
        rmcp::model::ErrorCode(-32800),
        "The call was cancelled by the client.",
        None,
    )
}

/// The protocol error for an address no resource has; its data names the address (SEP-2164).
fn no_resource(uri: &str) -> McpError {
    McpError::resource_not_found(
        format!("No resource at '{uri}'. Call resources/list and resources/templates/list."),
        Some(json!({ "uri": uri })),
    )
}

/// Who sent the request: its MCP session (from the header) and the client it names, in its
/// `initialize` or (on the stateless 2026-07-28 protocol) in each request's `_meta`.
fn caller_of(context: &RequestContext<RoleServer>) -> Caller {
    let session = context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(SESSION_HEADER))
        .and_then(|value| value.to_str().ok());
    let named = context.meta.client_info().or_else(|| {
        context
            .peer
            .peer_info()
            .map(|info| info.client_info.clone())
    });
    match named {
        Some(info) => Caller::new(session, &info.name, &info.version),
        None => Caller::new(session, "", ""),
    }
}

impl std::fmt::Debug for GodotMcpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GodotMcpServer")
            .field("tools", &self.tools.len())
            .finish()
    }
}
