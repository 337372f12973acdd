// MachineConfig: one encoder to the journal header, one decoder from it,
// option strings parsed with clear errors, and the difference FT reports.
#include "emulator/machine/machine_config.h"

#include <gtest/gtest.h>

namespace tapvm {
namespace {

MachineConfig Sample() {
  MachineConfig c;
  c.ram_size = 256ull << 20;
  c.time_shift = 5;
  c.kernel = "Image";
  c.bootargs = "console=ttyS0 quiet";
  c.rng = true;
  c.break_insn = "add";
  c.drives.push_back(DriveConfig{"/tmp/a.img", true, DriveConfig::Aio::kIoUring, {}, ""});
  c.drives.push_back(DriveConfig{"/tmp/b.img", false, DriveConfig::Aio::kThreads, {}, "scratch"});
  c.netdevs.push_back(NetdevConfig{NetdevConfig::Kind::kDgram, "127.0.0.1:1", "127.0.0.1:2", ""});
  c.netdevs.push_back(NetdevConfig{NetdevConfig::Kind::kTap, "", "", "tap0"});
  return c;
}

TEST(MachineConfigTest, DecodeReadsBackWhatEncodeWrote) {
  const MachineConfig c = Sample();
  MachineConfig d;
  ASSERT_TRUE(MachineConfig::Decode(c.Encode(), &d).ok());
  EXPECT_EQ(d.ram_size, c.ram_size);
  EXPECT_EQ(d.time_shift, c.time_shift);
  EXPECT_TRUE(d.is_linux());
  EXPECT_EQ(d.bootargs, c.bootargs);
  EXPECT_EQ(d.rng, c.rng);
  EXPECT_TRUE(d.console_waits);
  EXPECT_EQ(d.break_insn, c.break_insn);
  EXPECT_EQ(d.drives, c.drives);
  EXPECT_EQ(d.netdevs, c.netdevs);
  EXPECT_EQ(d.digest_version, kStateDigestVersion);
  EXPECT_EQ(MachineConfig::FirstDifference(c, d), "");
}

TEST(MachineConfigTest, BareMachineStaysBare) {
  MachineConfig c;
  c.firmware = "prog.elf";
  c.rng = false;
  MachineConfig d;
  ASSERT_TRUE(MachineConfig::Decode(c.Encode(), &d).ok());
  EXPECT_FALSE(d.is_linux());
  EXPECT_FALSE(d.rng);
}

// Journals written before the typed configuration stored the user's own
// option strings; they still decode.
TEST(MachineConfigTest, DecodesOlderOptionStrings) {
  MachineConfig::KeyValues kv = {{"ram_bytes", "268435456"}, {"time_shift", "4"},  {"timebase_hz", "10000000"},
                                 {"digest_version", "2"},    {"mode", "linux"},    {"bootargs", "console=ttyS0"},
                                 {"rng", "1"},               {"drive", "/x/disk.img,aio=io_uring"},
                                 {"netdev", "dgram,local=127.0.0.1:5,remote=127.0.0.1:6"}};
  MachineConfig d;
  ASSERT_TRUE(MachineConfig::Decode(kv, &d).ok());
  ASSERT_EQ(d.drives.size(), 1u);
  EXPECT_EQ(d.drives[0].file, "/x/disk.img");
  EXPECT_EQ(d.drives[0].aio, DriveConfig::Aio::kIoUring);
  EXPECT_EQ(d.digest_version, 2u);
  EXPECT_FALSE(d.console_waits);  // recorded before console input waited
  ASSERT_EQ(d.netdevs.size(), 1u);
  EXPECT_EQ(d.netdevs[0].remote, "127.0.0.1:6");
}

TEST(MachineConfigTest, DecodeRefusesDamagedConfigurations) {
  const MachineConfig::KeyValues good = Sample().Encode();
  auto with = [&](const std::string& key, const std::string& value) {
    MachineConfig::KeyValues kv = good;
    for (auto& [k, v] : kv)
      if (k == key) v = value;
    return kv;
  };
  MachineConfig d;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"ram_bytes", "12x"}, {"ram_bytes", "4097"}, {"ram_bytes", "99999999999999999999999"},
           {"time_shift", "17"}, {"mode", "windows"}, {"timebase_hz", "1"}, {"rng", "maybe"},
           {"drive", "file=/a,bogus=1"}, {"netdev", "carrier-pigeon"}}) {
    Status st = MachineConfig::Decode(with(key, value), &d);
    EXPECT_FALSE(st.ok()) << key << "=" << value;
    EXPECT_NE(st.message().find(key == "drive" || key == "netdev" ? "--" + key : key), std::string::npos)
        << st.ToString();
  }
  EXPECT_FALSE(MachineConfig::Decode({}, &d).ok());
}

TEST(MachineConfigTest, OptionStringsGiveClearErrors) {
  DriveConfig d;
  EXPECT_TRUE(MachineConfig::ParseDrive("disk.img", &d).ok());
  EXPECT_EQ(d.file, "disk.img");
  EXPECT_TRUE(MachineConfig::ParseDrive("file=d.img,readonly=on,format=raw,aio=threads", &d).ok());
  EXPECT_TRUE(d.read_only);
  EXPECT_NE(MachineConfig::ParseDrive("file=d.img,cachex=none", &d).message().find("unknown option 'cachex'"),
            std::string::npos);
  EXPECT_NE(MachineConfig::ParseDrive("file=d.img,format=qcow2", &d).message().find("format=raw"), std::string::npos);
  EXPECT_NE(MachineConfig::ParseDrive("readonly=on", &d).message().find("file=PATH"), std::string::npos);
  EXPECT_NE(MachineConfig::ParseDrive("file=d.img,aio=native", &d).message().find("aio"), std::string::npos);
  NetdevConfig n;
  EXPECT_TRUE(MachineConfig::ParseNetdev("dgram,local=127.0.0.1:1,remote=127.0.0.1:2", &n).ok());
  EXPECT_TRUE(MachineConfig::ParseNetdev("tap,ifname=tap0", &n).ok());
  EXPECT_EQ(n.ifname, "tap0");
  EXPECT_NE(MachineConfig::ParseNetdev("dgram,local=127.0.0.1:1", &n).message().find("remote"), std::string::npos);
  EXPECT_NE(MachineConfig::ParseNetdev("user", &n).message().find("unknown kind 'user'"), std::string::npos);
  EXPECT_NE(MachineConfig::ParseNetdev("tap,ifname=t,local=x", &n).message().find("unknown option 'local'"),
            std::string::npos);
}

TEST(MachineConfigTest, FirstDifferenceNamesWhatTheGuestWouldSee) {
  const MachineConfig a = Sample();
  MachineConfig b = a;
  b.drives[0].file = "/elsewhere/a.img";  // a host path: the guest cannot tell
  b.netdevs[0].remote = "127.0.0.1:9";
  EXPECT_EQ(MachineConfig::FirstDifference(a, b), "");
  b.ram_size = 128ull << 20;
  EXPECT_EQ(MachineConfig::FirstDifference(a, b), "ram_bytes: 268435456 vs 134217728");
  b = a;
  b.bootargs = "console=ttyS0";
  EXPECT_NE(MachineConfig::FirstDifference(a, b).find("bootargs"), std::string::npos);
  b = a;
  b.drives.pop_back();
  EXPECT_EQ(MachineConfig::FirstDifference(a, b), "drives: 2 vs 1");
}

}  // namespace
TEST(MachineConfigTest, DrivesAreNamedByIdOrPosition) {
  DriveConfig d;
  ASSERT_TRUE(MachineConfig::ParseDrive("file=/x.img,id=data-1.v_2", &d).ok());
  EXPECT_EQ(d.id, "data-1.v_2");
  EXPECT_EQ(MachineConfig::DriveSpec(d), "file=/x.img,id=data-1.v_2");
  for (const char* bad : {"file=/x,id=", "file=/x,id=1abc", "file=/x,id=a b", "file=/x,id=a/b", "file=/x,id=\xc3\xa9"})
    EXPECT_FALSE(MachineConfig::ParseDrive(bad, &d).ok()) << bad;
  MachineConfig c;
  c.drives = {DriveConfig{"/a", false, DriveConfig::Aio::kThreads, {}, ""},
              DriveConfig{"/b", false, DriveConfig::Aio::kThreads, {}, "data"},
              DriveConfig{"/c", false, DriveConfig::Aio::kThreads, {}, ""}};
  EXPECT_EQ(c.DriveName(0), "drive0");
  EXPECT_EQ(c.DriveName(1), "data");
  EXPECT_EQ(c.DriveName(2), "drive2");
  EXPECT_TRUE(MachineConfig::CheckDriveNames(c.drives).ok());
  c.drives[1].id = "drive2";  // the name drive 2 has by default
  const Status st = MachineConfig::CheckDriveNames(c.drives);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'drive2'"), std::string::npos) << st.message();
}

}  // namespace tapvm

namespace tapvm {
namespace {

// cache=, inject=, inject-file=, inject-seed= (drive_host_options.h).
TEST(MachineConfigTest, DriveHostOptions) {
  DriveConfig d;
  ASSERT_TRUE(MachineConfig::ParseDrive("file=d.img,cache=none,inject=read:eio:offset=1M-2M;flush:eio:once,"
                                        "inject-seed=7,inject-file=/tmp/rules",
                                        &d)
                  .ok());
  EXPECT_EQ(d.cache, BlockCache::kNone);
  EXPECT_EQ(d.inject, "read:eio:offset=1M-2M;flush:eio:once");
  EXPECT_EQ(d.inject_seed, 7u);
  EXPECT_EQ(d.inject_file, "/tmp/rules");
  DriveConfig back;
  ASSERT_TRUE(MachineConfig::ParseDrive(MachineConfig::DriveSpec(d), &back).ok());
  EXPECT_EQ(back, d);
  ASSERT_TRUE(MachineConfig::ParseDrive("file=d.img,cache=writeback", &d).ok());
  EXPECT_EQ(d.cache, BlockCache::kWriteback);
  EXPECT_EQ(MachineConfig::DriveSpec(d), "file=d.img");

  Status st = MachineConfig::ParseDrive("file=d.img,cache=unsafe", &d);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("'unsafe'"), std::string::npos) << st.message();
  st = MachineConfig::ParseDrive("file=d.img,inject=read:eio;write:boom", &d);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("'write:boom'"), std::string::npos) << st.message();
  EXPECT_FALSE(MachineConfig::ParseDrive("file=d.img,inject-seed=-1", &d).ok());
  EXPECT_FALSE(MachineConfig::ParseDrive("file=d.img,inject-file=", &d).ok());
}

}  // namespace
}  // namespace tapvm
