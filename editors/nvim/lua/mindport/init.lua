-- mindport for Neovim 0.7 to 0.11+: starts `mindport serve` for Python buffers, passes the
-- settings through, refreshes code lenses and adds :MindportConvert, :MindportAlign,
-- :MindportProfile, :MindportReport and :MindportDoctor.
--
--   require("mindport").setup({
--     cmd = { "/path/to/.venv/bin/mindport", "serve" },
--     settings = { device = "CPU", severity = { consistent = "hint" } },
--   })
--
-- On 0.11+ it uses vim.lsp.config/vim.lsp.enable, on 0.8+ vim.lsp.start, on 0.7
-- vim.lsp.start_client. Users of 0.11's native configuration can skip setup() and use
-- lsp/mindport.lua from this plugin instead (see editors/nvim/README.md).
local M = {}

M.name = "mindport"

M.defaults = {
  cmd = { "mindport", "serve" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", ".git" },
  -- Server settings, keys as in the settings table of the README (device, mode, severity, ...).
  settings = {},
  -- Refresh code lenses (Align with MindSpore, Profile) on enter, save and leaving insert mode.
  codelens = true,
  -- Called as on_attach(client, bufnr) after the server attaches to a buffer.
  on_attach = nil,
  -- Opens an HTML report (a file:// URI); default: xdg-open (open on macOS), else a message.
  open_report = nil,
}

-- Server commands (workspace/executeCommand) behind the user commands; the current buffer's URI
-- is the first argument.
M.commands = {
  MindportConvert = "mindport.convertFile",
  MindportAlign = "mindport.runAlignment",
  MindportProfile = "mindport.runProfile",
  MindportReport = "mindport.openReport",
  MindportDoctor = "mindport.doctor",
}

local function notify(message, level)
  vim.notify("mindport: " .. message, level or vim.log.levels.INFO)
end

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

-- The folder holding one of the markers, walking up from `path` (vim.fs is 0.8+).
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path ~= "" and path or vim.fn.getcwd(), ":p:h")
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.getcwd()
end

local function open_report(uri)
  if M.config and M.config.open_report then
    M.config.open_report(uri)
    return
  end
  local opener = vim.fn.has("mac") == 1 and "open" or "xdg-open"
  if vim.fn.executable(opener) == 1 then
    vim.fn.jobstart({ opener, uri }, { detach = true })
  else
    notify("report at " .. vim.uri_to_fname(uri))
  end
end

-- Reports and converted files the server opens with window/showDocument (0.7 has no handler;
-- later ones would open an HTML report in a buffer or with vim.ui.open).
local function show_document(_, result)
  if not result or not result.uri then
    return { success = false }
  end
  if result.external or result.uri:match("%.html?$") then
    open_report(result.uri)
    return { success = true }
  end
  -- a converted file: open it, at the selection if there is one
  vim.cmd("edit " .. vim.fn.fnameescape(vim.uri_to_fname(result.uri)))
  if result.selection then
    local start = result.selection.start
    pcall(vim.api.nvim_win_set_cursor, 0, { start.line + 1, start.character })
  end
  return { success = true }
end

local function on_attach_for(config)
  return function(client, bufnr)
    if config.codelens and client.server_capabilities and client.server_capabilities.codeLensProvider then
      local group = vim.api.nvim_create_augroup("mindport_codelens_" .. bufnr, { clear = true })
      local function refresh()
        if has("0.10") then
          vim.lsp.codelens.refresh({ bufnr = bufnr })
        else
          vim.lsp.codelens.refresh()
        end
      end
      vim.api.nvim_create_autocmd({ "BufEnter", "BufWritePost", "InsertLeave" }, {
        group = group,
        buffer = bufnr,
        callback = refresh,
      })
      refresh()
    end
    if config.on_attach then
      config.on_attach(client, bufnr)
    end
  end
end

-- The client configuration shared by every way of starting the server.
function M.client_config(config, root_dir)
  local settings = config.settings or {}
  local handlers = { ["window/showDocument"] = show_document }
  return {
    name = M.name,
    cmd = config.cmd,
    root_dir = root_dir,
    filetypes = config.filetypes,
    root_markers = config.root_markers,
    -- The server reads both: initializationOptions at start, workspace/configuration
    -- (section "mindport") after, and again on workspace/didChangeConfiguration.
    -- trusted_workspace = true lets the workspace's pyproject.toml name the interpreter
    -- (docs/security.md); without it the server ignores such settings.
    init_options = config.trusted_workspace == true
        and vim.tbl_extend("force", settings, { trustedWorkspace = true })
      or settings,
    settings = { mindport = settings },
    handlers = handlers,
    on_attach = on_attach_for(config),
  }
end

local clients_by_root = {}

local function start(config, bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(path, config.root_markers)
  local client_config = M.client_config(config, root)
  client_config.filetypes = nil
  client_config.root_markers = nil
  if has("0.8") then
    M.started_with = "vim.lsp.start"
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end
  M.started_with = "vim.lsp.start_client"
  local id = clients_by_root[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config)
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- The running mindport client attached to a buffer.
function M.client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
    or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(clients) do
    if client.name == M.name then
      return client
    end
  end
  return nil
end

local function offers(client, command)
  local provider = client.server_capabilities and client.server_capabilities.executeCommandProvider
  if not provider or not provider.commands then
    return false
  end
  return vim.tbl_contains(provider.commands, command)
end

-- What to say after mindport.convertFile ({created, uri, found, converted, marked}, or
-- {created = false, error | reason}); nil when there is nothing to say.
function M.convert_summary(result)
  if type(result) ~= "table" then
    return nil
  end
  if result.created then
    local name = vim.fn.fnamemodify(vim.uri_to_fname(result.uri), ":t")
    local text = ("wrote %s: %s of %s torch sites converted"):format(name, result.converted, result.found)
    if (result.marked or 0) > 0 then
      text = text .. ("; %d left with a `# mindport:` marker"):format(result.marked)
    end
    return text, vim.log.levels.INFO
  end
  if type(result.error) == "string" and result.error ~= "" then
    return "conversion failed: " .. result.error, vim.log.levels.ERROR
  end
  if type(result.reason) == "string" and result.reason ~= "" then
    return "nothing written (" .. result.reason .. ")", vim.log.levels.INFO
  end
  return nil
end

local function summary(command, result)
  if type(result) ~= "table" then
    return command .. " done"
  end
  if command == "mindport.doctor" then
    local blocking = {}
    for _, finding in ipairs(result.findings or {}) do
      if finding.blocks_runs then
        local fix = finding.fix and (" (fix: " .. finding.fix .. ")") or ""
        table.insert(blocking, finding.check .. ": " .. finding.message .. fix)
      end
    end
    if #blocking == 0 then
      return ("doctor: nothing blocks runs on %s (torch %s, mindspore %s)"):format(
        result.device or "?",
        result.torch_version or "missing",
        result.mindspore_version or "missing"
      )
    end
    return ("doctor: %d problem(s) block runs on %s:\n%s"):format(
      #blocking,
      result.device or "?",
      table.concat(blocking, "\n")
    )
  end
  return result.message or result.summary or (command .. " done")
end

-- Commands that run a model: they need the model factory as well as the file.
M.needs_factory = { ["mindport.runAlignment"] = true, ["mindport.runProfile"] = true }

-- The server's code lenses for `command` in the buffer (one per model factory), as
-- { label = factory, arguments = {...} }.
function M.run_targets(client, bufnr, command)
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr) }
  local response
  if has("0.11") then
    response = client:request_sync("textDocument/codeLens", params, 10000, bufnr)
  else
    response = client.request_sync("textDocument/codeLens", params, 10000, bufnr)
  end
  local targets, seen = {}, {}
  for _, lens in ipairs((response and response.result) or {}) do
    local cmd = lens.command
    if cmd and cmd.command == command and cmd.arguments then
      local first = cmd.arguments[1]
      local label = type(first) == "table" and first.factory or vim.inspect(cmd.arguments)
      if not seen[label] then
        seen[label] = true
        table.insert(targets, { label = label, arguments = cmd.arguments })
      end
    end
  end
  return targets
end

-- Runs a server command on a buffer; callback(err, result) gets the answer. `arguments`
-- defaults to the buffer's URI (and, for runs, the model picked from the server's lenses).
function M.execute(command, bufnr, callback, arguments)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    notify("no mindport server attached to this buffer", vim.log.levels.WARN)
    return false
  end
  if not offers(client, command) then
    notify("this server does not offer " .. command .. " yet (update mindport)", vim.log.levels.WARN)
    return false
  end
  if not arguments and M.needs_factory[command] then
    local targets = M.run_targets(client, bufnr, command)
    if #targets == 0 then
      notify("no model here to run: a torch.nn.Module subclass, or a function returning one, "
        .. "callable without arguments", vim.log.levels.WARN)
      return false
    end
    if #targets == 1 then
      return M.execute(command, bufnr, callback, targets[1].arguments)
    end
    vim.ui.select(targets, {
      prompt = "mindport: which model?",
      format_item = function(target) return target.label end,
    }, function(target)
      if target then
        M.execute(command, bufnr, callback, target.arguments)
      end
    end)
    return true
  end
  local params = { command = command }
  if arguments then
    params.arguments = arguments
  elseif command ~= "mindport.doctor" then
    params.arguments = { vim.uri_from_bufnr(bufnr) }
  end
  local request = function(...)
    if has("0.11") then
      return client:request(...)
    end
    return client.request(...)
  end
  request("workspace/executeCommand", params, function(err, result)
    if err then
      notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif command == "mindport.doctor" then
      local level = vim.log.levels.INFO
      if command == "mindport.doctor" and type(result) == "table" and (result.blocking or 0) > 0 then
        level = vim.log.levels.WARN
      end
      notify(summary(command, result), level)
    elseif command == "mindport.convertFile" then
      local text, level = M.convert_summary(result)
      if text then
        notify(text, level)
      end
    end
    if callback then
      callback(err, result)
    end
  end, bufnr)
  return true
end

local function create_user_commands()
  for name, command in pairs(M.commands) do
    vim.api.nvim_create_user_command(name, function()
      M.execute(command)
    end, { desc = "mindport: " .. command })
  end
end

function M.setup(opts)
  local config = vim.tbl_deep_extend("force", {}, M.defaults, opts or {})
  M.config = config
  create_user_commands()
  if has("0.11") and vim.lsp.config and vim.lsp.enable then
    local client_config = M.client_config(config, nil)
    client_config.root_dir = nil
    vim.lsp.config(M.name, client_config)
    vim.lsp.enable(M.name)
    M.started_with = "vim.lsp.enable"
    return
  end
  local group = vim.api.nvim_create_augroup("mindport", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      start(config, args.buf)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      start(config, bufnr)
    end
  end
end

return M
