-- mindport for Neovim 0.7+: start `mindport serve` for Python buffers.
-- Use: require("mindport").setup({ cmd = { "/path/to/.venv/bin/mindport", "serve" },
--                                   settings = { device = "CPU" } })
local M = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { "mindport", "serve" }
  local settings = opts.settings or {}
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "python",
    callback = function(args)
      local root = vim.fs and vim.fs.dirname(vim.fs.find({ "pyproject.toml", ".git" },
        { upward = true, path = vim.api.nvim_buf_get_name(args.buf) })[1] or "")
        or vim.fn.getcwd()
      if root == nil or root == "" then root = vim.fn.getcwd() end
      M.client_id = M.client_id or vim.lsp.start_client({
        name = "mindport",
        cmd = cmd,
        root_dir = root,
        init_options = settings,
        settings = { mindport = settings },
      })
      vim.lsp.buf_attach_client(args.buf, M.client_id)
    end,
  })
end

return M
