-- Neovim 0.11+ native configuration: put this plugin on the runtimepath, then
--   vim.lsp.enable("mindport")
-- and adjust with vim.lsp.config("mindport", { cmd = {...}, settings = { mindport = {...} } }).
-- The :Mindport* user commands come with require("mindport").setup(); with this file alone the
-- server's commands are reachable through vim.lsp.buf.code_action() and code lenses.
local settings = {}
return {
  cmd = { "mindport", "serve" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", ".git" },
  init_options = settings,
  settings = { mindport = settings },
}
