"""The host end of a tapvm guest's network, for the guest tests.

tapvm's `--netdev dgram,local=127.0.0.1:VMPORT,remote=127.0.0.1:PEERPORT`
carries every Ethernet frame of the guest's NIC in one UDP datagram between
VMPORT (tapvm) and PEERPORT (a NetPeer). tapvm takes frames only from its
`remote` address, so all the peer sends leaves from PEERPORT.

NetPeer plays host HOST_IP (MAC HOST_MAC) on the guest's 10.0.2.0/24, the
guest being GUEST_IP: it answers the guest's ARP for HOST_IP, echoes UDP
sent to HOST_IP port 7 (with "echo:" in front) and queues UDP sent to any
other port it opened. CounterClient speaks ftcounter's protocol
(tools/guest/ftcounter.c) through it.

Frames go to the guest's MAC: tapvm's first NIC has GUEST_MAC, and the
source MAC of the guest's ARP and IPv4 frames replaces it once seen. (Linux
would also take a broadcast-MAC frame carrying a unicast IP, unless
net.ipv4.conf.*.drop_unicast_in_l2_multicast is set; a frame to a wrong
unicast MAC it drops.)

Threads: a NetPeer runs one receive thread; its methods may be called from
any thread. A CounterClient is for one thread.
"""
import queue
import socket
import struct
import threading
import time

HOST_MAC = bytes.fromhex("525400000002")
HOST_IP = bytes([10, 0, 2, 2])
GUEST_IP = bytes([10, 0, 2, 15])
# VirtioNet's default MAC; machine_builder.cc gives NIC i ...:56+i.
GUEST_MAC = bytes.fromhex("525400123456")
ETH_ARP, ETH_IPV4 = 0x0806, 0x0800
IP_UDP = 17
ECHO_PORT = 7


def free_port(kind=socket.SOCK_DGRAM):
    """A port of `kind` (UDP by default) on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def free_udp_port():
    """A UDP port for --netdev local=."""
    return free_port(socket.SOCK_DGRAM)


def free_tcp_port():
    """A TCP port (an FT pair's log channel, etcd)."""
    return free_port(socket.SOCK_STREAM)


def checksum(data):
    """The Internet checksum (RFC 1071) of `data`."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp_frame(dst_mac, src_mac, src_ip, dst_ip, sport, dport, payload, ident=0):
    """An Ethernet frame holding one unfragmented IPv4/UDP datagram, checksums set."""
    udp_len = 8 + len(payload)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, IP_UDP, udp_len)
    udp_sum = checksum(pseudo + struct.pack("!HHHH", sport, dport, udp_len, 0) + payload) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, udp_len, udp_sum) + payload
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, ident & 0xFFFF,
                                0x4000, 64, IP_UDP, 0, src_ip, dst_ip))  # DF set
    struct.pack_into("!H", hdr, 10, checksum(bytes(hdr)))
    return dst_mac + src_mac + struct.pack("!H", ETH_IPV4) + bytes(hdr) + udp


def parse_udp(frame):
    """(src_mac, src_ip, dst_ip, sport, dport, payload) of an unfragmented
    IPv4/UDP frame, or None for anything else or anything malformed."""
    if len(frame) < 14 + 20 or struct.unpack("!H", frame[12:14])[0] != ETH_IPV4:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    frag = struct.unpack("!H", ip[6:8])[0]
    if ip[0] >> 4 != 4 or ihl < 20 or total < ihl + 8 or total > len(ip) or ip[9] != IP_UDP:
        return None
    if frag & 0x3FFF:  # more fragments, or not the first
        return None
    udp = ip[ihl:total]
    sport, dport, ulen = struct.unpack("!HHH", udp[0:6])
    if ulen < 8 or ulen > len(udp):
        return None
    return frame[6:12], ip[12:16], ip[16:20], sport, dport, udp[8:ulen]


def parse_arp_request(frame):
    """(sender_mac, sender_ip, target_ip) of an Ethernet/IPv4 ARP request, or None."""
    if len(frame) < 42 or struct.unpack("!H", frame[12:14])[0] != ETH_ARP:
        return None
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", frame[14:22])
    if (htype, ptype, hlen, plen, op) != (1, ETH_IPV4, 6, 4, 1):
        return None
    return frame[22:28], frame[28:32], frame[38:42]


def arp_reply(my_mac, my_ip, to_mac, to_ip):
    arp = struct.pack("!HHBBH", 1, ETH_IPV4, 6, 4, 2) + my_mac + my_ip + to_mac + to_ip
    return to_mac + my_mac + struct.pack("!H", ETH_ARP) + arp


class NetPeer:
    """Host HOST_IP on a guest's network, at a UDP port of 127.0.0.1.

    vm_port: tapvm's dgram `local` port when known, so the peer can send
    before the guest does; otherwise the source of the first datagram.
    Datagrams from any other address are ignored, as tapvm does.
    """

    def __init__(self, vm_port=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.vm_addr = ("127.0.0.1", vm_port) if vm_port else None
        self.guest_mac = GUEST_MAC
        self.echoed = []  # payloads the guest sent to the echo port
        self.arp_answered = 0
        self._ports = {}  # UDP port of HOST_IP -> queue of (src_ip, sport, payload)
        self._next_port = 49152
        self._ident = 0
        self._lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def netdev(self, vm_port):
        """The --netdev option value that connects tapvm at vm_port to this peer."""
        return f"dgram,local=127.0.0.1:{vm_port},remote=127.0.0.1:{self.port}"

    def open_port(self, port=None):
        """Starts queueing UDP to HOST_IP:port (a fresh port >= 49152 when None);
        returns (port, queue of (src_ip, sport, payload))."""
        with self._lock:
            if port is None:
                while self._next_port in self._ports:
                    self._next_port += 1
                port = self._next_port
            if port == ECHO_PORT or port in self._ports:
                raise ValueError(f"UDP port {port} of the host peer is taken")
            q = queue.Queue()
            self._ports[port] = q
            return port, q

    def close_port(self, port):
        with self._lock:
            self._ports.pop(port, None)

    def send_udp(self, sport, dport, payload, dst_ip=GUEST_IP):
        """Sends one UDP datagram from HOST_IP:sport to dst_ip:dport."""
        with self._lock:
            if self.vm_addr is None:
                raise RuntimeError("the VM's dgram address is not known yet")
            self._ident += 1
            frame = udp_frame(self.guest_mac, HOST_MAC, HOST_IP, dst_ip, sport, dport, payload,
                              self._ident)
            addr = self.vm_addr
        self.sock.sendto(frame, addr)

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _loop(self):
        while not self._stop:
            try:
                frame, addr = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            with self._lock:
                if self.vm_addr is None:
                    self.vm_addr = addr
                elif addr != self.vm_addr:
                    continue
            reply = self._answer(frame)
            if reply:
                self.sock.sendto(reply, addr)

    def _learn(self, src_mac, src_ip):
        if src_ip == GUEST_IP and src_mac[0] & 1 == 0:
            with self._lock:
                self.guest_mac = bytes(src_mac)

    def _answer(self, frame):
        arp = parse_arp_request(frame)
        if arp:
            sha, spa, tpa = arp
            self._learn(sha, spa)
            if tpa != HOST_IP:
                return None
            self.arp_answered += 1
            return arp_reply(HOST_MAC, HOST_IP, sha, spa)
        udp = parse_udp(frame)
        if udp is None:
            return None
        src_mac, src_ip, dst_ip, sport, dport, payload = udp
        self._learn(src_mac, src_ip)
        if dst_ip != HOST_IP:
            return None
        if dport == ECHO_PORT:
            self.echoed.append(payload)
            return udp_frame(src_mac, HOST_MAC, HOST_IP, src_ip, ECHO_PORT, sport, b"echo:" + payload)
        with self._lock:
            q = self._ports.get(dport)
        if q is not None:
            q.put((src_ip, sport, payload))
        return None


class CounterClient:
    """A client of ftcounter (tools/guest/ftcounter.c) at GUEST_IP:server_port
    through a NetPeer. Request ids are 1, 2, 3... (a retry keeps its id).

    replies: every "ID N" answer received, as (id, n) in arrival order,
    late and duplicate ones included: with retries, one request can take
    several numbers. errors: every "ERR ..." reply. retries: requests sent
    again after a per-try timeout.
    """

    def __init__(self, peer, server_port=9000):
        self.peer = peer
        self.server_port = server_port
        self.port, self._queue = peer.open_port()
        self.next_id = 1
        self.replies = []
        self.errors = []
        self.retries = 0

    def close(self):
        self.peer.close_port(self.port)

    def _receive(self, deadline):
        """The next reply from the server, recorded in replies or errors, as
        its fields; None at the deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                src_ip, sport, payload = self._queue.get(timeout=left)
            except queue.Empty:
                return None
            if src_ip != GUEST_IP or sport != self.server_port:
                continue
            text = payload.decode(errors="replace").rstrip("\n")
            fields = text.split(" ")
            if fields[0] == "ERR":
                self.errors.append(text)
            elif len(fields) == 2 and fields[1].isdigit():
                if fields[0] != "BYE":
                    self.replies.append((fields[0], int(fields[1])))
                return fields

    def request(self, req_id, timeout):
        """Sends "REQ req_id" once; returns the number of the first reply
        carrying req_id within `timeout` seconds, or None."""
        req_id = str(req_id)
        self.peer.send_udp(self.port, self.server_port, f"REQ {req_id}".encode())
        deadline = time.monotonic() + timeout
        while True:
            fields = self._receive(deadline)
            if fields is None:
                return None
            if fields[0] == req_id:
                return int(fields[1])

    def next_number(self, per_try_timeout=5.0, deadline=None):
        """Takes a fresh id and requests until answered (retrying with that
        id every per_try_timeout seconds); returns the number, or raises
        TimeoutError once time.monotonic() passes `deadline`."""
        req_id = self.next_id
        self.next_id += 1
        tries = 0
        while deadline is None or time.monotonic() < deadline:
            if tries:
                self.retries += 1
            tries += 1
            wait = per_try_timeout if deadline is None else min(per_try_timeout, deadline - time.monotonic())
            n = self.request(req_id, max(wait, 0.0))
            if n is not None:
                return n
        raise TimeoutError(f"request {req_id}: no answer after {tries} tries")

    def count(self, requests, per_try_timeout=5.0, timeout=60.0):
        """Makes `requests` requests one after another (next_number); returns their numbers."""
        deadline = time.monotonic() + timeout
        return [self.next_number(per_try_timeout, deadline) for _ in range(requests)]

    def count_until(self, target, per_try_timeout=5.0, timeout=60.0):
        """Makes requests until one is answered with a number >= target;
        returns the numbers of all of them, in order."""
        deadline = time.monotonic() + timeout
        numbers = []
        while not numbers or numbers[-1] < target:
            numbers.append(self.next_number(per_try_timeout, deadline))
        return numbers

    def quit(self, timeout=5.0, tries=3):
        """Sends QUIT until "BYE N" comes back; returns N, or None when it never did."""
        for _ in range(tries):
            self.peer.send_udp(self.port, self.server_port, b"QUIT")
            deadline = time.monotonic() + timeout
            while True:
                fields = self._receive(deadline)
                if fields is None:
                    break
                if fields[0] == "BYE":
                    return int(fields[1])
        return None
