# Runs rtm-microbench once with tiny measurement times and checks its JSON:
# every benchmark ran and none reported an error.  -DBIN=... -DOUT=...
execute_process(
	COMMAND ${BIN} --benchmark_min_time=0.001 --benchmark_format=json --benchmark_out=${OUT}
		--benchmark_out_format=json
	RESULT_VARIABLE rc
	OUTPUT_QUIET)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "rtm-microbench exited with ${rc}")
endif()
file(READ ${OUT} json)
string(JSON n LENGTH "${json}" benchmarks)
if(n LESS 1)
	message(FATAL_ERROR "no benchmark in ${OUT}")
endif()
math(EXPR last "${n} - 1")
set(names "")
foreach(i RANGE ${last})
	string(JSON name GET "${json}" benchmarks ${i} name)
	string(JSON err ERROR_VARIABLE noerr GET "${json}" benchmarks ${i} error_message)
	if(NOT noerr)
		message(FATAL_ERROR "${name}: ${err}")
	endif()
	string(JSON items ERROR_VARIABLE noitems GET "${json}" benchmarks ${i} items_per_second)
	if(noitems OR NOT items GREATER 0)
		message(FATAL_ERROR "${name}: no items_per_second")
	endif()
	list(APPEND names "${name}")
endforeach()
foreach(want locks/route_shared locks/route_exclusive locks/dest_shared lookup/exact/ipv:4
		lookup/longest_prefix/ipv:6 routes/add_delete_existing_dest/ipv:4 routes/add_delete_new_dest/ipv:6)
	string(FIND "${names}" "${want}" at)
	if(at LESS 0)
		message(FATAL_ERROR "${want} missing from ${OUT}")
	endif()
endforeach()
message(STATUS "rtm-microbench: ${n} runs, all with items/s and no error")
