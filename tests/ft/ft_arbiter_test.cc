// The FT arbiters: one contract suite run against every arbiter (a lock
// file, a real etcd): the first claim wins, the other role loses, the
// winner wins again, another run's claim does not count, racing claimers
// agree on one role. Then the file arbiter's own cases (its format,
// takeovers, a file that is not ours, a locked or unopenable path,
// processes racing) and the spec parser. etcd's own cases are in
// ft_etcd_arbiter_test.cc.
#include "ft/arbiter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/ft/arbiter_test_util.h"
#include "tests/ft/etcd_test_server.h"

namespace tapvm::ft {
namespace {

using std::chrono::milliseconds;
using testutil::EtcdTestServer;
using testutil::MustOpen;
using testutil::Wins;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kTimeout = testutil::kClaimTimeout;
constexpr int kRacers = 8;
constexpr int kRaceRounds = 4;

Role RacerRole(int i) { return i % 2 == 0 ? Role::kPrimary : Role::kSecondary; }

// A fresh temporary folder, removed with what it holds.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tapvm_arbiter_XXXXXX";
    EXPECT_NE(mkdtemp(tmpl), nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The role that won a race, or a failure: every claimer of one role won,
// every claimer of the other lost.
void ExpectOneRoleWon(const std::vector<int>& outcomes) {  // 1 won, 0 lost, -1 error
  int primary_wins = 0;
  int secondary_wins = 0;
  for (int i = 0; i < static_cast<int>(outcomes.size()); ++i) {
    ASSERT_NE(outcomes[i], -1) << "claimer " << i << " failed";
    if (outcomes[i] == 1) ++(RacerRole(i) == Role::kPrimary ? primary_wins : secondary_wins);
  }
  const int per_role = static_cast<int>(outcomes.size()) / 2;
  EXPECT_TRUE((primary_wins == per_role && secondary_wins == 0) || (secondary_wins == per_role && primary_wins == 0))
      << primary_wins << " primaries and " << secondary_wins << " secondaries won";
}

// ------------------------------------------------------------ contract
enum class Backend { kFile, kEtcd };

class ArbiterContractTest : public testing::TestWithParam<Backend> {
 protected:
  static void TearDownTestSuite() { etcd_.reset(); }

  void SetUp() override {
    run_ = NewRunId();
    other_run_ = NewRunId();
    if (GetParam() == Backend::kFile) {
      spec_ = "file:" + dir_.path() + "/arbiter";
      return;
    }
    if (etcd_ == nullptr) {  // one etcd for the suite
      std::string why;
      etcd_ = EtcdTestServer::Start(&why);
      ASSERT_NE(etcd_, nullptr) << why;
    }
    spec_ = "etcd:" + etcd_->endpoint();
  }

  // Each side opens the arbiter on its own, as the pair's two processes do.
  std::unique_ptr<Arbiter> Side() { return MustOpen(spec_); }

  static inline std::unique_ptr<EtcdTestServer> etcd_;
  TempDir dir_;
  std::string spec_;
  RunId run_;
  RunId other_run_;
};

TEST_P(ArbiterContractTest, FirstClaimWinsAndTheOtherRoleLoses) {
  auto primary = Side();
  auto secondary = Side();
  EXPECT_TRUE(Wins(*primary, run_, Role::kPrimary));
  EXPECT_FALSE(Wins(*secondary, run_, Role::kSecondary));
  EXPECT_FALSE(Wins(*Side(), run_, Role::kSecondary));
}

TEST_P(ArbiterContractTest, TheSecondaryMayWinFirst) {
  auto primary = Side();
  auto secondary = Side();
  EXPECT_TRUE(Wins(*secondary, run_, Role::kSecondary));
  EXPECT_FALSE(Wins(*primary, run_, Role::kPrimary));
}

TEST_P(ArbiterContractTest, TheWinnerWinsAgain) {
  auto primary = Side();
  auto secondary = Side();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Wins(*primary, run_, Role::kPrimary)) << "claim " << i;
  EXPECT_TRUE(Wins(*Side(), run_, Role::kPrimary)) << "another arbiter of the winning role";
  EXPECT_FALSE(Wins(*secondary, run_, Role::kSecondary));
  EXPECT_TRUE(Wins(*primary, run_, Role::kPrimary)) << "after the other role's claim";
}

TEST_P(ArbiterContractTest, AnotherRunsClaimDoesNotCount) {
  EXPECT_TRUE(Wins(*Side(), other_run_, Role::kPrimary));
  EXPECT_TRUE(Wins(*Side(), run_, Role::kSecondary));
  EXPECT_FALSE(Wins(*Side(), run_, Role::kPrimary));
}

TEST_P(ArbiterContractTest, RacingClaimersAgreeOnOneRole) {
  for (int round = 0; round < kRaceRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const RunId run = NewRunId();
    std::vector<std::unique_ptr<Arbiter>> sides;
    for (int i = 0; i < kRacers; ++i) sides.push_back(Side());
    std::vector<int> outcomes(kRacers, -1);
    std::latch start(kRacers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRacers; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        bool won = false;
        if (sides[i]->Claim(run, RacerRole(i), kTimeout, &won).ok()) outcomes[i] = won ? 1 : 0;
      });
    }
    for (std::thread& t : threads) t.join();
    ExpectOneRoleWon(outcomes);
  }
}

TEST_P(ArbiterContractTest, DescribeGivesTheSpec) { EXPECT_EQ(Side()->Describe(), spec_); }

INSTANTIATE_TEST_SUITE_P(Backends, ArbiterContractTest, testing::Values(Backend::kFile, Backend::kEtcd),
                         [](const testing::TestParamInfo<Backend>& info) {
                           return std::string(info.param == Backend::kFile ? "file" : "etcd");
                         });

// ---------------------------------------------------------------- file
constexpr RunId kRunA{0x0123456789abcdefull, 0xfedcba9876543210ull};
constexpr RunId kRunB{0x1111111111111111ull, 0x2222222222222222ull};
constexpr char kLineA[] = "tapvm-ft-arbiter 1 run=0123456789abcdeffedcba9876543210 winner=";

class FileArbiterTest : public testing::Test {
 protected:
  std::string Read() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  void Write(const std::string& content) const { std::ofstream(path_, std::ios::binary | std::ios::trunc) << content; }
  std::unique_ptr<Arbiter> Open() const { return MustOpen("file:" + path_); }

  TempDir dir_;
  const std::string path_ = dir_.path() + "/arbiter";
};

TEST_F(FileArbiterTest, HoldsOneLineNamingTheRunAndTheWinner) {
  EXPECT_TRUE(Wins(*Open(), kRunA, Role::kSecondary));
  EXPECT_EQ(Read(), std::string(kLineA) + "secondary\n");
  EXPECT_FALSE(Wins(*Open(), kRunA, Role::kPrimary));
  EXPECT_EQ(Read(), std::string(kLineA) + "secondary\n") << "a losing claim writes nothing";
}

TEST_F(FileArbiterTest, TakesOverAnotherRunsClaim) {
  Write("tapvm-ft-arbiter 1 run=" + kRunB.ToHex() + " winner=secondary\n");
  EXPECT_TRUE(Wins(*Open(), kRunA, Role::kPrimary));
  EXPECT_EQ(Read(), std::string(kLineA) + "primary\n");
  EXPECT_FALSE(Wins(*Open(), kRunA, Role::kSecondary));
}

TEST_F(FileArbiterTest, TakesOverAnEmptyOrDamagedArbiterFile) {
  for (const std::string& content :
       {std::string(), std::string("tapvm-ft-arbiter"), std::string("tapvm-ft-arbiter 1 run=zz winner=primary\n"),
        std::string(kLineA) + "nobody\n", std::string(kLineA) + "secondary", std::string(kLineA) + "secondary\nmore",
        std::string("tapvm-ft-arbiter") + std::string(10000, 'x')}) {
    SCOPED_TRACE("content \"" + content.substr(0, 80) + "\"");
    Write(content);
    EXPECT_TRUE(Wins(*Open(), kRunA, Role::kPrimary));
    EXPECT_EQ(Read(), std::string(kLineA) + "primary\n");
  }
}

TEST_F(FileArbiterTest, RefusesAFileThatIsNotAnArbiterFile) {
  Write("precious data\n");
  bool won = true;
  const Status st = Open()->Claim(kRunA, Role::kPrimary, kTimeout, &won);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find(path_ + ": is not a tapvm arbiter file"), std::string::npos) << st.message();
  EXPECT_FALSE(won);
  EXPECT_EQ(Read(), "precious data\n");
}

TEST_F(FileArbiterTest, AnUnopenablePathIsAnError) {
  struct Case {
    std::string path;
    const char* says;
  };
  for (const Case& c : {Case{dir_.path() + "/no/such/folder/arbiter", "cannot open: No such file or directory"},
                        Case{dir_.path(), "cannot open: Is a directory"}}) {
    bool won = true;
    const Status st = MustOpen("file:" + c.path)->Claim(kRunA, Role::kPrimary, kTimeout, &won);
    EXPECT_EQ(st.code(), Status::Code::kIOError) << st.ToString();
    EXPECT_EQ(st.message(), "file arbiter " + c.path + ": " + c.says);
    EXPECT_FALSE(won);
  }
}

TEST_F(FileArbiterTest, AFifoIsRefusedWithoutHanging) {
  ASSERT_EQ(mkfifo(path_.c_str(), 0644), 0);
  bool won = true;
  const Status st = Open()->Claim(kRunA, Role::kPrimary, kTimeout, &won);
  EXPECT_EQ(st.message(), "file arbiter " + path_ + ": is not a regular file");
  EXPECT_FALSE(won);
}

TEST_F(FileArbiterTest, ALockedFileTimesOut) {
  const int holder = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(holder, 0);
  ASSERT_EQ(flock(holder, LOCK_EX), 0);
  bool won = true;
  const auto start = Clock::now();
  const Status st = Open()->Claim(kRunA, Role::kPrimary, milliseconds(200), &won);
  const auto spent = Clock::now() - start;
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_EQ(st.message(), "file arbiter " + path_ + ": still locked by another claimer after 200 ms");
  EXPECT_FALSE(won);
  EXPECT_GE(spent, milliseconds(200));
  EXPECT_LT(spent, milliseconds(1500));
  EXPECT_EQ(Read(), "") << "nothing written without the lock";

  close(holder);  // drops the lock
  EXPECT_TRUE(Wins(*Open(), kRunA, Role::kPrimary));
}

// Processes, not threads: the lock must hold between the pair's processes.
TEST_F(FileArbiterTest, ProcessesRacingAgreeOnOneRole) {
  constexpr int kWon = 10, kLost = 20, kFailed = 30;
  for (int round = 0; round < kRaceRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const RunId run = NewRunId();
    int gate[2];
    ASSERT_EQ(pipe2(gate, O_CLOEXEC), 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < kRacers; ++i) {
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(gate[1]);
        std::unique_ptr<Arbiter> arbiter;
        if (!OpenArbiter("file:" + path_, &arbiter).ok()) _exit(kFailed);
        char c;
        while (read(gate[0], &c, 1) < 0) {  // EOF: the parent let us all go
        }
        bool won = false;
        if (!arbiter->Claim(run, RacerRole(i), kTimeout, &won).ok()) _exit(kFailed);
        _exit(won ? kWon : kLost);
      }
      pids.push_back(pid);
    }
    close(gate[0]);
    close(gate[1]);
    std::vector<int> outcomes;
    for (pid_t pid : pids) {
      int status = 0;
      waitpid(pid, &status, 0);
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      outcomes.push_back(code == kWon ? 1 : code == kLost ? 0 : -1);
    }
    ExpectOneRoleWon(outcomes);
    const std::string content = Read();
    EXPECT_TRUE(content == "tapvm-ft-arbiter 1 run=" + run.ToHex() + " winner=primary\n" ||
                content == "tapvm-ft-arbiter 1 run=" + run.ToHex() + " winner=secondary\n")
        << content;
  }
}

// ---------------------------------------------------------------- spec
TEST(ArbiterSpecTest, RejectsBadSpecs) {
  for (const std::string spec :
       {"", "etcd:", "etcd:ftp://x", "bogus:x", "file:", "etcd:http://", "etcd:http://host", "etcd:http://:2379",
        "etcd:http://h:0", "etcd:http://h:65536", "etcd:http://h:12x", "etcd:http://h:1/v3", "etcd:http://u@h:1",
        "etcd:http://h:1,", "etcd:,http://h:1", "etcd:http://::1:2379", "etcd:https://h:1", "FILE:/tmp/x"}) {
    std::unique_ptr<Arbiter> arbiter;
    const Status st = OpenArbiter(spec, &arbiter);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << "spec \"" << spec << "\": " << st.ToString();
    EXPECT_NE(st.message().find("\"" + spec + "\""), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("expected file:PATH or etcd:http://HOST:PORT"), std::string::npos) << st.message();
    EXPECT_EQ(arbiter, nullptr);
  }
}

TEST(ArbiterSpecTest, AcceptsGoodSpecs) {
  struct Case {
    const char* spec;
    const char* describe;
  };
  for (const Case& c : {Case{"file:/tmp/x", "file:/tmp/x"}, Case{"file:relative/x", "file:relative/x"},
                        Case{"etcd:http://127.0.0.1:2379", "etcd:http://127.0.0.1:2379"},
                        Case{"etcd:http://etcd.local:2379/", "etcd:http://etcd.local:2379"},
                        Case{"etcd:http://[::1]:2379,http://etcd-b:22379", "etcd:http://[::1]:2379,http://etcd-b:22379"}}) {
    std::unique_ptr<Arbiter> arbiter;
    const Status st = OpenArbiter(c.spec, &arbiter);
    ASSERT_TRUE(st.ok()) << c.spec << ": " << st.ToString();
    EXPECT_EQ(arbiter->Describe(), c.describe);
  }
}

}  // namespace
}  // namespace tapvm::ft
