from_auto = "auto-a"
from_cli  = "auto-a"
