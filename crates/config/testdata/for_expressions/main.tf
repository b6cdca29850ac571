variable "users" {
  default = {
    alice = { role = "admin", active = true }
    bob   = { role = "dev", active = false }
    carol = { role = "dev", active = true }
  }
}

locals {
  names       = [for name, user in var.users : name]
  active      = [for name, user in var.users : upper(name) if user.active]
  roles       = { for name, user in var.users : name => user.role }
  by_role     = { for name, user in var.users : user.role => name... }
  doubled     = [for n in [1, 2, 3] : n * 2]
  indexed     = { for i, v in ["x", "y"] : v => i }
  duplicate   = { for name, user in var.users : user.role => name }
}
