from_tfvars = "tfvars"
from_auto   = "tfvars"
from_cli    = "tfvars"
count_of    = "3"
tags        = { team = "ml", cost = 42 }
