"""portfile.py: how the test servers (tests/*svc.py) say which port they
listen on. Started with port 0 they bind a port the kernel picks, and
write it to $OWL_PORT_FILE once they listen (tests/lib.sh port_of reads
it): a port chosen first and bound later could be taken meanwhile by
another test running at the same time (prove -j)."""
import os


def announce(port):
    path = os.environ.get("OWL_PORT_FILE")
    if not path:
        return
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(path + ".tmp", path)
