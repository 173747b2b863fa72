-- A plain GET of the URL's path (the ceilings): wrk's static request, common's report.
local common = require "common"

setup = common.setup
done = common.done
