import sys

from service.client import main as client_main
from service.server import main as server_main

if len(sys.argv) > 1:
    sys.exit(client_main(sys.argv[1:]))
server_main()
