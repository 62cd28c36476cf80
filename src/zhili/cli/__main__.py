"""python -m zhili.cli"""

from . import main

main()
