# Trivial example test: run with tapvm.script=hello on the kernel command line.
echo hello
exit 0
