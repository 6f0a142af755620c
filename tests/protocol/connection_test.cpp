#include "protocol/connection.h"

#include <gtest/gtest.h>

#include "mpc/memory_channel.h"

namespace pg::protocol {
namespace {

struct Pair {
  std::unique_ptr<Connection> client;
  mpc::MemoryChannel* server = nullptr;  // owned by `server_owner`
  std::unique_ptr<mpc::MemoryChannel> server_owner;
};

Pair make() {
  auto [a, b] = mpc::MemoryChannel::make_pair();
  Pair p;
  Link link;
  link.channel = std::move(a);
  p.client = std::make_unique<Connection>(std::move(link));
  p.server_owner = std::move(b);
  p.server = p.server_owner.get();
  return p;
}

// The server sent stream data and then an error, and closed: the client's failed send is
// explained by the server's own words.
TEST(Connection, PeerReasonFindsTheErrorBehindPendingFrames) {
  Pair p = make();
  const std::vector<uint8_t> chunk(5000, 7);
  send_frame(*p.server, MsgType::kStream, chunk);
  send_error(*p.server, "preprocessing: bad request");
  p.server->close();
  const core::Error local{core::ErrorCode::kNetwork, "the peer closed the in-memory channel"};
  const core::Error why = p.client->peer_reason(local);
  EXPECT_EQ(why.message, std::string(kPeerReportPrefix) + "preprocessing: bad request");
}

TEST(Connection, PeerReasonKeepsTheLocalErrorWithoutAReport) {
  {
    Pair p = make();  // closed without a word
    p.server->close();
    const core::Error local{core::ErrorCode::kNetwork, "reset"};
    EXPECT_EQ(p.client->peer_reason(local).message, "reset");
  }
  {
    Pair p = make();  // garbage instead of a frame
    const std::vector<uint8_t> junk(64, 0xab);
    p.server->send(junk.data(), junk.size());
    p.server->close();
    const core::Error local{core::ErrorCode::kNetwork, "reset"};
    EXPECT_EQ(p.client->peer_reason(local).message, "reset");
  }
  {
    Pair p = make();  // a timeout is never followed by a read (it could stall)
    send_error(*p.server, "never read");
    const core::Error local{core::ErrorCode::kTimeout, "stalled"};
    EXPECT_EQ(p.client->peer_reason(local).message, "stalled");
  }
}

}  // namespace
}  // namespace pg::protocol
