#include "bench_net.h"

#include <cstdio>
#include <memory>

namespace pg::app {
namespace {

// Owns the wrapped channel; the ShapedChannel itself only refers to it.
class OwningShapedChannel final : public mpc::Channel {
 public:
  OwningShapedChannel(std::unique_ptr<mpc::Channel> inner, const mpc::LinkShape& shape)
      : inner_(std::move(inner)), shaped_(*inner_, shape) {}
  void send(const void* data, size_t n) override { shaped_.send(data, n); }
  void recv(void* data, size_t n) override { shaped_.recv(data, n); }
  void flush() override { shaped_.flush(); }

 private:
  std::unique_ptr<mpc::Channel> inner_;  // declared first: outlives shaped_
  mpc::ShapedChannel shaped_;
};

}  // namespace

std::optional<NetProfile> parse_net_profile(const std::string& name) {
  if (name == "none") return NetProfile::kNone;
  if (name == "lan") return NetProfile::kLan;
  if (name == "wan") return NetProfile::kWan;
  return std::nullopt;
}

const char* net_profile_name(NetProfile p) {
  switch (p) {
    case NetProfile::kLan:
      return "lan";
    case NetProfile::kWan:
      return "wan";
    case NetProfile::kNone:
      break;
  }
  return "none";
}

mpc::LinkShape net_link_shape(NetProfile p) {
  switch (p) {
    case NetProfile::kLan:
      return mpc::LinkShape::lan();
    case NetProfile::kWan:
      return mpc::LinkShape::wan();
    case NetProfile::kNone:
      break;
  }
  return {};
}

std::string describe_net_profile(NetProfile p) {
  if (p == NetProfile::kNone) return "loopback TCP, no shaping";
  const mpc::LinkShape s = net_link_shape(p);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "emulated %s: %.0f MB/s, %g ms round trip",
                p == NetProfile::kLan ? "LAN" : "WAN", s.bandwidth_bytes_per_s / 1e6,
                2e-3 * double(s.latency.count()));
  return buf;
}

protocol::Link shape_link(protocol::Link link, NetProfile p) {
  if (p == NetProfile::kNone) return link;
  auto ch = std::make_unique<OwningShapedChannel>(std::move(link.channel), net_link_shape(p));
  link.close = [inner_close = std::move(link.close), c = ch.get()] {
    c->flush();
    if (inner_close) inner_close();
  };
  link.channel = std::move(ch);
  return link;
}

core::Result<protocol::Link> ShapedConnector::connect() {
  PG_TRY_ASSIGN(auto link, inner_.connect());
  return shape_link(std::move(link), profile_);
}

core::Result<std::optional<protocol::Link>> ShapedAcceptor::accept(
    std::chrono::milliseconds timeout) {
  PG_TRY_ASSIGN(auto link, inner_.accept(timeout));
  if (!link) return std::optional<protocol::Link>();
  return std::optional<protocol::Link>(shape_link(std::move(*link), profile_));
}

}  // namespace pg::app
