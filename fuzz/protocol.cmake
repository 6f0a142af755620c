# The protocol driver's parsers of untrusted bytes: the session messages (and frame headers), and
# the server's and client's session logic fed with arbitrary peer bytes (ideal HE backend from the
# tests, so that the driver's own paths are what is fuzzed).
pg_add_fuzz_target(NAME proto_messages LIBS pg_protocol)
pg_add_fuzz_target(NAME proto_session LIBS pg_protocol)
foreach(target proto_session_replay proto_session_fuzz)
  if(TARGET ${target})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  endif()
endforeach()
if(TARGET proto_session_replay)
  set_tests_properties(fuzz_replay.proto_session PROPERTIES TIMEOUT 600)
endif()
