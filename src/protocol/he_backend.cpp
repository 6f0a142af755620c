#include "protocol/he_backend.h"

#include <stdexcept>

namespace pg::protocol {

namespace {

class LinearClient final : public HeClientBackend {
 public:
  LinearClient(const nn::Plan& architecture, HeOptions options) : he_(architecture, options) {}
  size_t num_terms() const override { return he_.num_terms(); }
  std::array<uint8_t, 32> setup_digest() const override { return he_.setup_digest(); }
  core::Bytes public_material() const override { return he_.public_material(); }
  core::Bytes encrypt(size_t k, std::span<const uint64_t> r) const override {
    return he_.encrypt(k, r);
  }
  core::Result<std::vector<uint64_t>> decrypt(size_t k,
                                              std::span<const uint8_t> reply) const override {
    return he_.decrypt(k, reply);
  }

 private:
  HeLinearClient he_;
};

class LinearKeys final : public HeSessionKeys {
 public:
  explicit LinearKeys(HeClientKeys keys) : keys_(std::move(keys)) {}
  const HeClientKeys& keys() const { return keys_; }

 private:
  HeClientKeys keys_;
};

class LinearServer final : public HeServerBackend {
 public:
  LinearServer(const nn::Plan& plan, HeOptions options)
      : architecture_(plan.architecture()), options_(options), he_(plan, options) {}
  size_t num_terms() const override { return he_.num_terms(); }
  std::array<uint8_t, 32> setup_digest() const override { return he_.setup_digest(); }
  core::Result<std::unique_ptr<HeSessionKeys>> parse_keys(
      std::span<const uint8_t> public_material) const override {
    PG_TRY_ASSIGN(auto keys, HeClientKeys::parse(architecture_, options_, public_material));
    return std::unique_ptr<HeSessionKeys>(new LinearKeys(std::move(keys)));
  }
  size_t request_bytes(size_t k) const override { return he_.stats(k).request_bytes; }
  core::Result<core::Bytes> respond(size_t k, std::span<const uint8_t> request,
                                    const HeSessionKeys& keys, std::span<uint64_t> t_out,
                                    core::Prg& prg) const override {
    const auto* lk = dynamic_cast<const LinearKeys*>(&keys);
    if (lk == nullptr) throw std::invalid_argument("HE keys from another backend");
    return he_.respond(k, request, lk->keys(), t_out, prg);
  }

 private:
  nn::Plan architecture_;
  HeOptions options_;
  HeLinearServer he_;
};

}  // namespace

std::unique_ptr<HeClientBackend> make_he_client(const nn::Plan& architecture, HeOptions options) {
  return std::make_unique<LinearClient>(architecture, options);
}

std::unique_ptr<HeServerBackend> make_he_server(const nn::Plan& plan, HeOptions options) {
  return std::make_unique<LinearServer>(plan, options);
}

}  // namespace pg::protocol
