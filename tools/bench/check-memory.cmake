# bench.memory: librtm's memory figure must not depend on what ran before it.
#
# rtm-bench measures IPv6 after IPv4 in one process; librtm keeps the slab
# arenas its IPv4 instance freed and its IPv6 load reused them, so the heap
# grew by a tenth of what IPv6 uses (40 B per prefix against 344 for IPv4).
# Each family's figure is now taken in a child process: an IPv6 prefix costs
# librtm about as much as an IPv4 one (about 400 B for both on the first 100k
# prefixes): each must be within a factor of 2 of the other.
#
#   cmake -DRTM_BENCH=path/to/rtm-bench -DOUT=file.json -P check-memory.cmake
if(NOT RTM_BENCH OR NOT OUT)
	message(FATAL_ERROR "usage: cmake -DRTM_BENCH=... -DOUT=... -P check-memory.cmake")
endif()
execute_process(COMMAND ${RTM_BENCH} --quick --no-dpdk --json ${OUT} memory
	RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "rtm-bench memory failed (${rc})")
endif()
file(READ ${OUT} json)
string(JSON n LENGTH "${json}" results)
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
	string(JSON impl GET "${json}" results ${i} impl)
	string(JSON kase GET "${json}" results ${i} case)
	string(JSON fam GET "${json}" results ${i} family)
	if(impl STREQUAL "librtm" AND kase STREQUAL "allocator")
		string(JSON bpp_${fam} GET "${json}" results ${i} median)
	endif()
endforeach()
if(NOT DEFINED bpp_ipv4 OR NOT DEFINED bpp_ipv6)
	message(FATAL_ERROR "no librtm allocator bytes/prefix for both families in ${OUT}")
endif()
message(STATUS "librtm bytes/prefix: IPv4 ${bpp_ipv4}, IPv6 ${bpp_ipv6}")
# math() has integers only: whole bytes are precise enough
string(REGEX REPLACE "\\..*" "" v4 "${bpp_ipv4}")
string(REGEX REPLACE "\\..*" "" v6 "${bpp_ipv6}")
math(EXPR v4x2 "${v4} * 2")
math(EXPR v6x2 "${v6} * 2")
if(v4 LESS 16 OR v6x2 LESS v4 OR v4x2 LESS v6)
	message(FATAL_ERROR "librtm bytes/prefix not sane: IPv4 ${bpp_ipv4}, IPv6 ${bpp_ipv6} "
		"(each must be within a factor of 2 of the other)")
endif()
# The machine section carries the cost of a random load (memlat.c): both
# figures measured, over the working set asked for.
string(JSON ml_bytes GET "${json}" machine random_load bytes)
string(JSON ml_dep GET "${json}" machine random_load dependent_ns)
string(JSON ml_par GET "${json}" machine random_load parallel_ns)
if(NOT ml_bytes EQUAL 268435456 OR NOT ml_dep GREATER 0 OR NOT ml_par GREATER 0)
	message(FATAL_ERROR "machine.random_load missing or empty in ${OUT}: "
		"${ml_bytes} bytes, ${ml_dep} ns dependent, ${ml_par} ns parallel")
endif()
