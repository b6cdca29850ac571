from_cli      = "var-file (overridden by the later -var)"
from_var_file = "var-file"
