#include "protocol/report.h"

#include <sys/resource.h>

#include <cstdio>

namespace pg::protocol {

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string format_stage_table(const std::vector<StageStats>& stages) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof(line), "%-12s %11s %14s %14s %7s\n", "stage", "time", "client->server",
                "server->client", "rounds");
  out += line;
  StageStats total{"total", 0, 0, 0, 0};
  for (const auto& s : stages) {
    std::snprintf(line, sizeof(line), "%-12s %9.3f s %14s %14s %7llu\n", s.name.c_str(), s.seconds,
                  human_bytes(s.bytes_client_to_server).c_str(),
                  human_bytes(s.bytes_server_to_client).c_str(), (unsigned long long)s.rounds);
    out += line;
    total.seconds += s.seconds;
    total.bytes_client_to_server += s.bytes_client_to_server;
    total.bytes_server_to_client += s.bytes_server_to_client;
    total.rounds += s.rounds;
  }
  std::snprintf(line, sizeof(line), "%-12s %9.3f s %14s %14s %7llu\n", "total", total.seconds,
                human_bytes(total.bytes_client_to_server).c_str(),
                human_bytes(total.bytes_server_to_client).c_str(),
                (unsigned long long)total.rounds);
  out += line;
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

std::string stages_json(const std::vector<StageStats>& stages) {
  std::string out = "[";
  for (size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i];
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "%s{\"name\":%s,\"seconds\":%.6f,\"bytes_client_to_server\":%llu,"
                  "\"bytes_server_to_client\":%llu,\"rounds\":%llu}",
                  i ? "," : "", json_string(s.name).c_str(), s.seconds,
                  (unsigned long long)s.bytes_client_to_server,
                  (unsigned long long)s.bytes_server_to_client, (unsigned long long)s.rounds);
    out += buf;
  }
  return out + "]";
}

uint64_t peak_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return uint64_t(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace pg::protocol
