#include "storage/keys/codec.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/meta_keys.h"

namespace myelin::storage::keys {
namespace {

constexpr int kRounds = 5000;

std::mt19937_64& Engine() {
  static std::mt19937_64 rng(20261127);
  return rng;
}

uint64_t Rng() { return Engine()(); }

// Integers biased towards the edges, where encodings usually go wrong.
template <typename T>
T RandomInt() {
  std::uniform_int_distribution<int> pick(0, 3);
  switch (pick(Engine())) {
    case 0:
      return std::numeric_limits<T>::min() + static_cast<T>(Rng() % 3);
    case 1:
      return std::numeric_limits<T>::max() - static_cast<T>(Rng() % 3);
    case 2:
      return static_cast<T>(Rng() % 512) - (std::is_signed_v<T> ? 256 : 0);
    default:
      return static_cast<T>(Rng());
  }
}

// Short strings over an alphabet of the bytes the escaping cares about.
std::string RandomString() {
  static constexpr char kAlphabet[] = {'\x00', '\x01', '\xFF', 'a', 'b'};
  std::string s(Rng() % 6, ' ');
  for (char& c : s) c = kAlphabet[Rng() % sizeof(kAlphabet)];
  return s;
}

template <typename T>
void CheckIntCodec() {
  using K = Key<T>;
  for (int i = 0; i < kRounds; ++i) {
    T a = RandomInt<T>(), b = RandomInt<T>();
    std::string ea = K::Encode(a), eb = K::Encode(b);
    EXPECT_EQ(ea.size(), sizeof(T));
    auto decoded = K::Decode(ea);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(std::get<0>(*decoded), a);
    EXPECT_EQ(a < b, ea < eb) << +a << " vs " << +b;
    EXPECT_EQ(a == b, ea == eb);
  }
}

TEST(CodecTest, U8RoundTripsAndOrders) { CheckIntCodec<uint8_t>(); }
TEST(CodecTest, U16RoundTripsAndOrders) { CheckIntCodec<uint16_t>(); }
TEST(CodecTest, U32RoundTripsAndOrders) { CheckIntCodec<uint32_t>(); }
TEST(CodecTest, U64RoundTripsAndOrders) { CheckIntCodec<uint64_t>(); }
TEST(CodecTest, I64RoundTripsAndOrders) { CheckIntCodec<int64_t>(); }

TEST(CodecTest, U64IsBigEndian) {
  EXPECT_EQ(Key<uint64_t>::Encode(0x0102030405060708),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(CodecTest, I64FlipsSignBit) {
  EXPECT_EQ(Key<int64_t>::Encode(0), std::string("\x80\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(Key<int64_t>::Encode(-1),
            std::string(8, '\x7F').replace(1, 7, 7, '\xFF'));
  EXPECT_LT(Key<int64_t>::Encode(std::numeric_limits<int64_t>::min()),
            Key<int64_t>::Encode(-1));
}

TEST(CodecTest, StringEscapesZeroAndTerminates) {
  EXPECT_EQ(Key<std::string>::Encode(""), std::string("\0\1", 2));
  EXPECT_EQ(Key<std::string>::Encode(std::string("a\0b", 3)),
            std::string("a\0\xFF"
                        "b\0\1",
                        6));
}

TEST(CodecTest, StringRoundTripsAndOrders) {
  using K = Key<std::string>;
  for (int i = 0; i < kRounds; ++i) {
    std::string a = RandomString(), b = RandomString();
    std::string ea = K::Encode(a), eb = K::Encode(b);
    auto decoded = K::Decode(ea);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(std::get<0>(*decoded), a);
    EXPECT_EQ(a < b, ea < eb);
  }
}

using Composite = Key<uint64_t, std::string, int64_t, std::string>;

Composite::Tuple RandomComposite() {
  // Small ranges so equal leading parts happen often.
  return {Rng() % 4, RandomString(), static_cast<int64_t>(Rng() % 5) - 2,
          RandomString()};
}

std::string EncodeTuple(const Composite::Tuple& t) {
  return Composite::Encode(std::get<0>(t), std::get<1>(t), std::get<2>(t),
                           std::get<3>(t));
}

TEST(CodecTest, CompositeRoundTripsAndOrdersLikeTuples) {
  for (int i = 0; i < kRounds; ++i) {
    Composite::Tuple a = RandomComposite(), b = RandomComposite();
    std::string ea = EncodeTuple(a), eb = EncodeTuple(b);
    auto decoded = Composite::Decode(ea);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, a);
    EXPECT_EQ(a < b, ea < eb);
  }
}

TEST(CodecTest, PrefixOfLeadingPartsPrefixesExactlyMatchingKeys) {
  for (int i = 0; i < kRounds; ++i) {
    Composite::Tuple a = RandomComposite(), b = RandomComposite();
    std::string prefix =
        Composite::EncodePrefix(std::get<0>(a), std::get<1>(a));
    bool leading_equal =
        std::get<0>(a) == std::get<0>(b) && std::get<1>(a) == std::get<1>(b);
    EXPECT_EQ(EncodeTuple(b).starts_with(prefix), leading_equal);
    EXPECT_TRUE(EncodeTuple(a).starts_with(prefix));
  }
}

TEST(CodecTest, PrefixUpperBoundIsExclusiveEndOfScan) {
  EXPECT_EQ(PrefixUpperBound("ab"), "ac");
  EXPECT_EQ(PrefixUpperBound(std::string("a\xFF\xFF")), "b");
  EXPECT_EQ(PrefixUpperBound(std::string("\xFF")), std::nullopt);
  EXPECT_EQ(PrefixUpperBound(""), std::nullopt);
  for (int i = 0; i < kRounds; ++i) {
    std::string prefix = Composite::EncodePrefix(Rng() % 4);
    std::string key = EncodeTuple(RandomComposite());
    auto bound = PrefixUpperBound(prefix);
    ASSERT_TRUE(bound.has_value());
    EXPECT_EQ(key.starts_with(prefix), key >= prefix && key < *bound);
  }
}

TEST(CodecTest, EveryTruncationFailsCleanly) {
  for (int i = 0; i < 500; ++i) {
    std::string full = EncodeTuple(RandomComposite());
    for (size_t len = 0; len < full.size(); ++len) {
      EXPECT_FALSE(Composite::Decode(full.substr(0, len)).ok())
          << "length " << len;
    }
  }
}

TEST(CodecTest, TrailingBytesAreRejected) {
  auto decoded = Key<uint32_t>::Decode(std::string(5, 'x'));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CodecTest, InvalidStringEscapeIsRejected) {
  EXPECT_FALSE(Key<std::string>::Decode(std::string("a\0\x02", 3)).ok());
  EXPECT_FALSE(Key<std::string>::Decode(std::string("a\0", 2)).ok());
  EXPECT_FALSE(Key<std::string>::Decode("abc").ok());
}

TEST(CodecTest, RandomGarbageNeverCrashes) {
  for (int i = 0; i < kRounds; ++i) {
    std::string garbage(Rng() % 40, ' ');
    for (char& c : garbage) c = static_cast<char>(Rng() & 0xFF);
    auto decoded = Composite::Decode(garbage);
    // Whatever decodes must be the canonical encoding of what it decoded to.
    if (decoded.ok()) {
      EXPECT_EQ(EncodeTuple(*decoded), garbage);
    }
  }
}

TEST(CodecTest, LayoutNamesParts) {
  EXPECT_EQ(Composite::Layout(), "u64.str.i64.str");
  EXPECT_EQ(MetaKey::Layout(), "u8");
}

TEST(MetaKeysTest, RowKeysAreOneStableByte) {
  EXPECT_EQ(EncodeMetaKey(MetaRow::kSchemaVersion), "\x01");
  EXPECT_EQ(EncodeMetaKey(MetaRow::kDatabaseInfo), "\x02");
}

}  // namespace
}  // namespace myelin::storage::keys
