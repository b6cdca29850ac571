variable "ratio" {
  type    = number
  default = "0.25"
}

variable "flags" {
  type = object({
    name    = string
    enabled = optional(bool)
    retries = optional(number, 3)
    sizes   = list(number)
  })
  default = {
    name  = "x"
    sizes = ["1", 2]
    extra = "dropped"
  }
}

locals {
  arithmetic = 1 + 2 * 3 - 8 / 4 % 3
  comparison = [1 < 2, 2 <= 2, 3 > 4, "a" == "a", 1 == "1", [1] != [2]]
  logic      = !(true && false) || false
  negative   = -var.ratio
  strings    = "${var.ratio * 100}%"
  heredoc    = <<EOT
ratio=${var.ratio}
EOT
}
