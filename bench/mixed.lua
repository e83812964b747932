-- mixed.lua — wrk script: each request is one of many users' reads, taken
-- in turn from a file of "cookie<TAB>path" lines (wrk ... -s mixed.lua -- FILE).
local reqs = {}
local n, i = 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^(%S+)\t(%S+)$")
    if cookie then
      n = n + 1
      reqs[n] = wrk.format("GET", path, { Cookie = "dj_session=" .. cookie })
    end
  end
  i = math.random(n) - 1
end

function request()
  i = i % n + 1
  return reqs[i]
end
