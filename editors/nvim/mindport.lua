-- Kept for users of the earlier single-file snippet (copied to lua/mindport.lua, or loaded with
-- dofile): the plugin now lives in lua/mindport/init.lua. Put editors/nvim on the runtimepath
-- instead (see editors/nvim/README.md); this file loads the plugin from beside it.
local here = debug.getinfo(1, "S").source:sub(2)
local dir = vim.fn.fnamemodify(here, ":p:h")
local plugin = dir .. "/lua/mindport/init.lua"
if vim.loop.fs_stat(plugin) then
  local module = dofile(plugin)
  package.loaded["mindport"] = module
  return module
end
error("mindport: " .. plugin .. " not found; put editors/nvim on the runtimepath")
