-- Headless Neovim drives mindport over stdio: diagnostics, hover, code action.
-- Invoked by tests/test_nvim_e2e.py with MINDPORT_CMD (JSON list), MINDPORT_OUT (result file)
-- and the Python file to open as the first argument.
local out_path = os.getenv("MINDPORT_OUT")
local cmd = vim.fn.json_decode(os.getenv("MINDPORT_CMD"))
local result = { errors = {} }

local function finish()
  local f = io.open(out_path, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(_G.arg and _G.arg[1] or vim.fn.argv(0)))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"
  local client_id = vim.lsp.start_client({
    name = "mindport",
    cmd = cmd,
    root_dir = vim.fn.getcwd(),
    init_options = { device = "CPU", doctorAtStart = false, jedi = false },
  })
  vim.lsp.buf_attach_client(bufnr, client_id)
  local got = vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity })
  end
  result.got_diagnostics = got

  -- hover on the line holding nn.Conv2d
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local conv_line, conv_col
  for i, line in ipairs(lines) do
    local s = line:find("nn.Conv2d", 1, true)
    if s then conv_line, conv_col = i - 1, s + 2 break end
  end
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    position = { line = conv_line, character = conv_col },
  }
  local hover = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, 10000)
  for _, res in pairs(hover or {}) do
    if res.result then result.hover = res.result.contents.value end
    if res.err then table.insert(result.errors, vim.inspect(res.err)) end
  end

  -- code action at the same place, applied to the buffer
  local ca_params = {
    textDocument = params.textDocument,
    range = { start = params.position, ["end"] = params.position },
    context = { diagnostics = {} },
  }
  local actions = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", ca_params, 10000)
  for _, res in pairs(actions or {}) do
    if res.result and res.result[1] then
      result.action_title = res.result[1].title
      vim.lsp.util.apply_workspace_edit(res.result[1].edit, "utf-16")
    end
  end
  result.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
