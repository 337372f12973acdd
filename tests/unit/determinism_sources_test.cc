// The determinism contract, checked on the source: nothing in emulator/
// may reach a host clock, socket, file or random source, except host
// backends, which live in folders named `backends/` behind the event tap.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;

TEST(DeterminismSourcesTest, EmulatorCoreUsesNoHostClockFileSocketOrRandomness) {
  const std::regex forbidden(
      R"(#include\s*<(chrono|ctime|time\.h|sys/time\.h|random|fstream|cstdio|stdio\.h|sys/socket\.h|)"
      R"(netinet/[a-z_]+\.h|unistd\.h|fcntl\.h|sys/random\.h|filesystem|thread)>|)"
      R"(\b(clock_gettime|gettimeofday|time\(nullptr\)|rand\(|srand\(|getrandom\(|fopen\(|open\(|socket\(|)"
      R"(/dev/u?random|steady_clock|system_clock|high_resolution_clock|random_device)\b)");
  fs::path root = fs::path(TAPVM_SOURCE_DIR) / "emulator";
  ASSERT_TRUE(fs::exists(root));
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const fs::path& p = entry.path();
    if (p.extension() != ".cc" && p.extension() != ".h") continue;
    if (p.string().find("/backends/") != std::string::npos) continue;
    ++files;
    std::ifstream in(p);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::string code = line.substr(0, line.find("//"));
      EXPECT_FALSE(std::regex_search(code, forbidden)) << p.string() << ":" << n << ": " << line;
    }
  }
  EXPECT_GT(files, 10);
}

}  // namespace
