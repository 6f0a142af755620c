# The HE linear terms' parsers of untrusted bytes: requests (server), replies (client) and the
# client's key material (server).
if(TARGET pg_protocol)
  pg_add_fuzz_target(NAME he_reply LIBS pg_protocol)
endif()
