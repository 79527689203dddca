#!/bin/bash
# Runs inside the kernel VM after its own tests (guest.sh, when the host set LINUXTRACE_VM_SSH_DIR): makes the guest a
# second real kernel the host's fleet tests reach over PowerShell SSH remoting (tests/kernel-vm/remote), then waits
# until the host says it is done.
#   network: QEMU user networking (kernel-vm.sh gets -netdev user,restrict=on,hostfwd=tcp:127.0.0.1:PORT-10.0.2.15:22
#            from the host): the guest is 10.0.2.15, reached only through that forwarded loopback port
#   clock:   set from the host's clock (the 9p server stamps a file the guest touches with the host's time), as NTP
#            would on a real host; the kernel's RTC start is only to the second
#   sshd:    on 10.0.2.15:22 only, root by the host's key (DIR/clientkey.pub), PowerShell subsystem; LinuxTrace of
#            this build in the subsystem's module folder
# DIR gets: ready (sshd answers), clock (the offset it corrected, in seconds), sshd.log; the host writes DIR/done.
# usage: serve-ssh.sh DIR [WAIT_SECONDS]
set -u
dir=$1 wait=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
say() { echo "serve-ssh: $*"; }
fail() { say "$*"; echo "$*" > "$dir/failed"; exit 1; }

modprobe virtio_net 2>/dev/null || true
nic=$(ls /sys/class/net | grep -v '^lo$' | head -1)
[ -n "$nic" ] || fail "no network device (the host did not give the guest a NIC)"
ip link set "$nic" up && ip addr add 10.0.2.15/24 dev "$nic" || fail "cannot configure $nic"

# the clock: touch a file on the host's side of 9p, read the time the host stamped on it; the try with the shortest
# round trip wins; its middle is when the host stamped it
best='' off=0
for i in 1 2 3 4 5 6 7 8; do
  t1=$(date +%s.%N); touch "$dir/clock-probe"; t2=$(date +%s.%N)
  h=$(stat -c %.9Y "$dir/clock-probe")
  read -r rt o <<< "$(awk -v a="$t1" -v b="$t2" -v h="$h" 'BEGIN { printf "%.6f %.6f\n", b - a, h - (a + b) / 2 }')"   # (no /dev/fd here)
  if [ -z "$best" ] || awk -v x="$rt" -v y="$best" 'BEGIN { exit !(x < y) }'; then best=$rt off=$o; fi
done
rm -f "$dir/clock-probe"
now=$(awk -v o="$off" -v t="$(date +%s.%N)" 'BEGIN { printf "%.6f", t + o }')
date -s "@$now" > /dev/null || fail "cannot set the clock"
echo "$off $best" > "$dir/clock"
say "clock corrected by $off s (round trip $best s)"

# LinuxTrace of this build where the subsystem's pwsh looks (its own HOME, on the guest's in-memory overlay)
home=/run/serve-ssh/home
version=$(sed -n "s/^ *ModuleVersion *= *'\([^']*\)'.*/\1/p" "$root/LinuxTrace.psd1")
mod=$home/.local/share/powershell/Modules/LinuxTrace/$version
mkdir -p "$mod" /run/sshd
cp -r "$root/LinuxTrace.psd1" "$root/LinuxTrace.Format.ps1xml" "$root/bin" "$root/en-US" "$mod/"
for i in $(seq 600); do [ -s "$dir/clientkey.pub" ] && break; sleep 0.2; done
[ -s "$dir/clientkey.pub" ] || fail "no client key from the host ($dir/clientkey.pub)"
cp "$dir/clientkey.pub" /run/serve-ssh/authorized_keys
ssh-keygen -q -t ed25519 -N '' -f /run/serve-ssh/hostkey
cat > /run/serve-ssh/subsystem.sh <<EOF
#!/bin/sh
export HOME=$home DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec ${LINUXTRACE_PWSH:-dotnet pwsh} -sshs -NoLogo
EOF
chmod +x /run/serve-ssh/subsystem.sh
cat > /run/serve-ssh/sshd.conf <<EOF
ListenAddress 10.0.2.15:22
HostKey /run/serve-ssh/hostkey
PidFile /run/serve-ssh/sshd.pid
AuthorizedKeysFile /run/serve-ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem powershell /run/serve-ssh/subsystem.sh
EOF
/usr/sbin/sshd -f /run/serve-ssh/sshd.conf -E "$dir/sshd.log" || fail "sshd did not start: $(tail -3 "$dir/sshd.log")"
touch "$dir/ready"
say "sshd on 10.0.2.15:22; waiting for the host (at most $wait s)"
for i in $(seq $((wait * 5))); do [ -e "$dir/done" ] && break; sleep 0.2; done
[ -e "$dir/done" ] || say "the host did not say it was done within $wait s"
kill "$(cat /run/serve-ssh/sshd.pid)" 2>/dev/null
pkill -f "sshd: " 2>/dev/null
exit 0
