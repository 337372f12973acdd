// The layer table of the architecture document ("Layers"), checked on the source:
// includes only point downward. Includes are written from the repository
// root ("journal/writer.h"), so the first folder of a quoted include names
// the layer it reaches into. System includes (<...>) are not layering.
//
//   tools/ tests/         anything
//   ft/                   recorder/ replayer/ journal/ emulator/
//   recorder/ replayer/   journal/ emulator/ (not each other)
//   journal/              emulator/tap.h and emulator/base/ only
//   emulator/             nothing of the above
//
// Every layer may include its own folder. A folder of the table that does
// not exist yet (ft/) is covered as soon as it appears.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct LayerRule {
  std::string layer;                     // top-level folder, e.g. "journal"
  std::vector<std::string> may_include;  // "dir/" is a folder, else one file
  bool anything = false;                 // tools/, tests/
};

const std::vector<LayerRule>& LayerRules() {
  static const std::vector<LayerRule> rules = {
      {"emulator", {"emulator/"}},
      {"journal", {"journal/", "emulator/tap.h", "emulator/base/"}},
      {"recorder", {"recorder/", "journal/", "emulator/"}},
      {"replayer", {"replayer/", "journal/", "emulator/"}},
      {"ft", {"ft/", "recorder/", "replayer/", "journal/", "emulator/"}},
      {"tools", {}, true},
      {"tests", {}, true},
  };
  return rules;
}

const LayerRule* RuleFor(const std::string& layer) {
  for (const LayerRule& rule : LayerRules()) {
    if (rule.layer == layer) return &rule;
  }
  return nullptr;
}

std::string FirstComponent(const std::string& path) { return path.substr(0, path.find('/')); }

bool Allowed(const LayerRule& rule, const std::string& target) {
  if (rule.anything) return true;
  return std::any_of(rule.may_include.begin(), rule.may_include.end(), [&](const std::string& p) {
    return p.back() == '/' ? target.compare(0, p.size(), p) == 0 : target == p;
  });
}

std::string AllowedList(const LayerRule& rule) {
  std::string out;
  for (const std::string& p : rule.may_include) out += (out.empty() ? "" : " ") + p;
  return out;
}

bool IsSource(const fs::path& p) {
  static const std::vector<std::string> exts = {".h", ".hh", ".hpp", ".inc", ".c", ".cc", ".cpp", ".cxx"};
  return std::find(exts.begin(), exts.end(), p.extension().string()) != exts.end();
}

struct LayeringReport {
  int files_scanned = 0;                // sources of the layers that are restricted
  std::vector<std::string> violations;  // "path:line: includes X (...)"
};

// Scans every source under the restricted layer folders of `root` (all but
// tools/ and tests/) and reports each quoted include that reaches a layer
// the including file may not include. A quoted include written relative to
// the including file ("../journal/x.h", "hart.h") is reported too: it hides
// the layer it reaches. Other quoted includes (third-party headers) are not
// layering.
LayeringReport CheckLayering(const fs::path& root) {
  static const std::regex include_re(R"(^\s*#\s*include\s*"([^"]+)\")");
  LayeringReport report;
  for (const LayerRule& rule : LayerRules()) {
    fs::path dir = root / rule.layer;
    if (rule.anything || !fs::is_directory(dir)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && IsSource(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // a stable order for the messages
    for (const fs::path& file : files) {
      ++report.files_scanned;
      const std::string rel = file.lexically_relative(root).generic_string();
      std::ifstream in(file);
      std::string line;
      std::smatch m;
      for (int n = 1; std::getline(in, line); ++n) {
        if (!std::regex_search(line, m, include_re)) continue;
        const std::string target = m[1].str();
        const std::string where = rel + ":" + std::to_string(n) + ": includes " + target;
        if (RuleFor(FirstComponent(target)) != nullptr) {
          if (!Allowed(rule, target)) {
            report.violations.push_back(where + " (layer " + rule.layer + "/ may include only " +
                                        AllowedList(rule) + ")");
          }
          continue;
        }
        fs::path beside = file.parent_path() / target;
        if (!fs::exists(beside)) continue;
        std::string resolved = fs::weakly_canonical(beside).lexically_relative(fs::weakly_canonical(root))
                                   .generic_string();
        if (!Allowed(rule, resolved)) {
          report.violations.push_back(where + " = " + resolved + " (layer " + rule.layer +
                                      "/ may include only " + AllowedList(rule) + ")");
        } else {
          report.violations.push_back(where + " (write it from the repository root: \"" + resolved + "\")");
        }
      }
    }
  }
  return report;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// A scratch source tree, removed when the test ends.
class TempTree {
 public:
  TempTree() {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() /
            ("tapvm_layering_" + std::to_string(::getpid()) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "_" +
             std::to_string(counter++));
    fs::create_directories(root_);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

TEST(LayeringTest, SourceTreeIncludesOnlyPointDownward) {
  LayeringReport report = CheckLayering(TAPVM_SOURCE_DIR);
  EXPECT_TRUE(report.violations.empty()) << report.violations.size() << " layering violation(s):\n"
                                         << Joined(report.violations);
}

TEST(LayeringTest, ScansTheWholeTree) {
  // A wrong root would scan nothing and pass the test above silently.
  LayeringReport report = CheckLayering(TAPVM_SOURCE_DIR);
  EXPECT_GT(report.files_scanned, 50) << "scanned " << report.files_scanned << " files under " << TAPVM_SOURCE_DIR;
}

TEST(LayeringTest, CatchesForbiddenIncludes) {
  TempTree tree;
  tree.Write("emulator/x.h", "#pragma once\n#include <vector>\n#include \"journal/writer.h\"\n");
  tree.Write("emulator/tap.h", "#pragma once\n");
  tree.Write("emulator/base/status.h", "#pragma once\n");
  tree.Write("emulator/machine/board.h", "#pragma once\n#include \"emulator/base/status.h\"\n");
  tree.Write("journal/writer.h", "#pragma once\n#include \"emulator/tap.h\"\n#include \"emulator/base/status.h\"\n");
  tree.Write("journal/y.cc",
             "#include \"journal/writer.h\"\n"
             "// #include \"recorder/in_a_comment.h\" is no include\n"
             "#include \"emulator/machine/board.h\"\n"
             "#include <string>\n");
  tree.Write("tools/z.cc", "#include \"recorder/anything.h\"\n#include \"replayer/anything.h\"\n");

  LayeringReport report = CheckLayering(tree.root());
  EXPECT_EQ(report.files_scanned, 6);  // tools/ is not restricted, so not read
  ASSERT_EQ(report.violations.size(), 2u) << Joined(report.violations);
  EXPECT_EQ(report.violations[0],
            "emulator/x.h:3: includes journal/writer.h (layer emulator/ may include only emulator/)");
  EXPECT_EQ(report.violations[1],
            "journal/y.cc:3: includes emulator/machine/board.h "
            "(layer journal/ may include only journal/ emulator/tap.h emulator/base/)");
}

TEST(LayeringTest, RecorderAndReplayerDoNotIncludeEachOther) {
  TempTree tree;
  tree.Write("recorder/a.cc", "#include \"replayer/b.h\"\n#include \"journal/c.h\"\n");
  tree.Write("replayer/b.h", "#include \"recorder/a.h\"\n#include \"emulator/tap.h\"\n");
  tree.Write("ft/f.cc", "#include \"recorder/a.h\"\n#include \"replayer/b.h\"\n#include \"tools/t.h\"\n");
  LayeringReport report = CheckLayering(tree.root());
  ASSERT_EQ(report.violations.size(), 3u) << Joined(report.violations);
  EXPECT_EQ(report.violations[0].rfind("recorder/a.cc:1: includes replayer/b.h", 0), 0u) << report.violations[0];
  EXPECT_EQ(report.violations[1].rfind("replayer/b.h:1: includes recorder/a.h", 0), 0u) << report.violations[1];
  EXPECT_EQ(report.violations[2].rfind("ft/f.cc:3: includes tools/t.h", 0), 0u) << report.violations[2];
}

TEST(LayeringTest, RelativeIncludesAreResolvedAndReported) {
  TempTree tree;
  tree.Write("journal/writer.h", "#pragma once\n");
  tree.Write("emulator/cpu/hart.h", "#pragma once\n");
  tree.Write("emulator/cpu/mmu.cc", "#include \"hart.h\"\n#include \"../../journal/writer.h\"\n");
  LayeringReport report = CheckLayering(tree.root());
  ASSERT_EQ(report.violations.size(), 2u) << Joined(report.violations);
  EXPECT_EQ(report.violations[0],
            "emulator/cpu/mmu.cc:1: includes hart.h (write it from the repository root: \"emulator/cpu/hart.h\")");
  EXPECT_EQ(report.violations[1],
            "emulator/cpu/mmu.cc:2: includes ../../journal/writer.h = journal/writer.h "
            "(layer emulator/ may include only emulator/)");
}

}  // namespace
