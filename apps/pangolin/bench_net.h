// Link emulation for `pangolin bench --net`: wraps every connection of both parties in an
// mpc::ShapedChannel, so that loopback TCP behaves like a LAN or a WAN (bandwidth and one-way
// latency per direction). Each party wraps its own outbound direction; the stamps need both
// parties on one host, which is what bench runs.
#pragma once

#include <optional>
#include <string>

#include "mpc/shaped_channel.h"
#include "protocol/transport.h"

namespace pg::app {

enum class NetProfile { kNone, kLan, kWan };

// "none" | "lan" | "wan"; nullopt for anything else.
std::optional<NetProfile> parse_net_profile(const std::string& name);
const char* net_profile_name(NetProfile p);
// The emulated link per direction: LAN 384 MB/s with a 0.3 ms round trip, WAN 44 MB/s with a
// 40 ms round trip (one-way latency = half the round trip). These are the LAN/WAN settings
// reported, as we recall them, by the CrypTFlow2 and Cheetah evaluations; they were not
// re-checked against the papers.
mpc::LinkShape net_link_shape(NetProfile p);
// One line for the report, e.g. "LAN: 384 MB/s, 0.3 ms RTT".
std::string describe_net_profile(NetProfile p);

// A link whose channel is the shaped version of `link`'s; close() flushes the shaped channel
// first. With NetProfile::kNone the link is returned unchanged.
protocol::Link shape_link(protocol::Link link, NetProfile p);

class ShapedConnector final : public protocol::Connector {
 public:
  // `inner` must outlive this connector.
  ShapedConnector(protocol::Connector& inner, NetProfile p) : inner_(inner), profile_(p) {}
  core::Result<protocol::Link> connect() override;

 private:
  protocol::Connector& inner_;
  NetProfile profile_;
};

class ShapedAcceptor final : public protocol::Acceptor {
 public:
  // `inner` must outlive this acceptor.
  ShapedAcceptor(protocol::Acceptor& inner, NetProfile p) : inner_(inner), profile_(p) {}
  core::Result<std::optional<protocol::Link>> accept(std::chrono::milliseconds timeout) override;

 private:
  protocol::Acceptor& inner_;
  NetProfile profile_;
};

}  // namespace pg::app
