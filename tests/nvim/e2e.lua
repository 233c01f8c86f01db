-- Headless Neovim with the mindport plugin (editors/nvim), as a user sets it up:
-- require("mindport").setup({...}), then what a person does: read diagnostics, hover, pick the
-- quick fix from the code-action menu, run :MindportDoctor.
-- Invoked by tests/test_nvim_e2e.py with MINDPORT_PLUGIN (editors/nvim), MINDPORT_CMD (JSON
-- list), MINDPORT_OUT (result file) and the Python file to open as MINDPORT_FILE.
local out_path = os.getenv("MINDPORT_OUT")
local result = { errors = {}, notifications = {}, version = tostring(vim.version().major .. "." .. vim.version().minor) }

local function finish()
  local f = io.open(out_path, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end

vim.notify = function(message, level)
  table.insert(result.notifications, { message = message, level = level })
end

local function floating_text()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      local buf = vim.api.nvim_win_get_buf(win)
      return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
    end
  end
  return nil
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(os.getenv("MINDPORT_PLUGIN"))
  vim.cmd("filetype on")
  require("mindport").setup({
    open_report = function(uri) result.report = uri end,
    cmd = vim.fn.json_decode(os.getenv("MINDPORT_CMD")),
    settings = { device = "CPU", jedi = false, doctor_at_start = false, severity = { unknown = "off" } },
  })
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("MINDPORT_FILE")))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype

  result.got_diagnostics = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity, source = d.source })
  end
  local client = require("mindport").client(bufnr)
  result.client_name = client and client.name
  result.started_with = require("mindport").started_with

  -- hover on nn.Conv2d, read from the floating window a person sees
  local conv_line, conv_col
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local s = line:find("nn.Conv2d", 1, true)
    if s then conv_line, conv_col = i, s + 2 break end
  end
  vim.api.nvim_win_set_cursor(0, { conv_line, conv_col })
  vim.lsp.buf.hover()
  vim.wait(15000, function() return floating_text() ~= nil end, 50)
  result.hover = floating_text()
  vim.api.nvim_win_set_cursor(0, { conv_line, conv_col })
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then vim.api.nvim_win_close(win, true) end
  end

  -- the code-action menu: pick the mindport fix as a person would
  vim.ui.select = function(items, opts, on_choice)
    result.menu = {}
    local chosen, index
    for i, item in ipairs(items) do
      local title = (opts.format_item and opts.format_item(item)) or vim.inspect(item)
      table.insert(result.menu, title)
      if not chosen and title:find("mindspore", 1, true) then chosen, index = item, i end
    end
    on_choice(chosen, index)
  end
  vim.api.nvim_win_set_cursor(0, { conv_line, conv_col })
  vim.lsp.buf.code_action()
  vim.wait(15000, function()
    return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n"):find("has_bias", 1, true) ~= nil
  end, 50)
  result.text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")

  -- :MindportDoctor reports the verdict
  vim.cmd("MindportDoctor")
  vim.wait(60000, function()
    for _, n in ipairs(result.notifications) do
      if n.message:find("doctor:", 1, true) then return true end
    end
    return false
  end, 100)

  -- :MindportConvert writes model_ms.py beside the file and opens it
  vim.cmd("MindportConvert")
  vim.wait(30000, function() return vim.api.nvim_buf_get_name(0):match("model_ms%.py$") ~= nil end, 50)
  result.converted_name = vim.api.nvim_buf_get_name(0)
  result.converted_text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")

  -- :MindportAlign on a model file: the server runs both frameworks and shows the report
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("MINDPORT_NET")))
  local net = vim.api.nvim_get_current_buf()
  vim.wait(30000, function() return require("mindport").client(net) ~= nil end, 50)
  vim.cmd("MindportAlign")
  vim.wait(180000, function() return result.report ~= nil end, 100)
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
