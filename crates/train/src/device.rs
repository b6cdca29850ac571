//! Where training runs: the CPU, or a CUDA GPU when lathe was built with the `cuda` feature.

use std::fmt;
use std::str::FromStr;

use candle_core::Device;
use serde::{Deserialize, Serialize};

/// The `device` a spec or the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DeviceChoice {
    /// The first CUDA GPU when this build has the `cuda` feature and a GPU answers, else the CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

/// Why the asked-for device cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DeviceError {
    #[error("device \"{0}\" is not one of \"cpu\", \"cuda\" or \"auto\"; write one of those three")]
    Unknown(String),

    #[error(
        "device \"cuda\" was asked for, but this lathe was built without the `cuda` feature; \
         build it with scripts/cuda/build (or `cargo build --features lathe-train/cuda` where nvcc is \
         installed), or ask for device \"cpu\" or \"auto\""
    )]
    CudaNotBuilt,

    #[error(
        "device \"cuda\" was asked for, but no CUDA GPU could be opened: {0}; check that the \
         NVIDIA driver is loaded (nvidia-smi) and that the CUDA 13 libraries are on \
         LD_LIBRARY_PATH, or ask for device \"cpu\" or \"auto\""
    )]
    CudaUnavailable(String),
}

impl DeviceChoice {
    pub const NAMES: [&str; 3] = ["auto", "cpu", "cuda"];

    pub fn name(self) -> &'static str {
        match self {
            DeviceChoice::Auto => "auto",
            DeviceChoice::Cpu => "cpu",
            DeviceChoice::Cuda => "cuda",
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for DeviceChoice {
    type Err = DeviceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(DeviceChoice::Auto),
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda),
            _ => Err(DeviceError::Unknown(text.to_string())),
        }
    }
}

/// Takes `--device NAME` (or `--device=NAME`) out of command-line arguments; `auto` when absent.
pub fn take_device_argument(arguments: &mut Vec<String>) -> Result<DeviceChoice, DeviceError> {
    let Some(index) = arguments
        .iter()
        .position(|argument| argument == "--device" || argument.starts_with("--device="))
    else {
        return Ok(DeviceChoice::Auto);
    };
    let flag = arguments.remove(index);
    let value = match flag.strip_prefix("--device=") {
        Some(value) => value.to_string(),
        None if index < arguments.len() => arguments.remove(index),
        None => return Err(DeviceError::Unknown(String::new())),
    };
    value.parse()
}

/// Whether this build can drive a CUDA GPU at all.
pub const CUDA_BUILT: bool = cfg!(feature = "cuda");

/// Opens the device a choice names; `auto` never fails, it falls back to the CPU.
pub fn select(choice: DeviceChoice) -> Result<Device, DeviceError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Cuda if !CUDA_BUILT => Err(DeviceError::CudaNotBuilt),
        DeviceChoice::Cuda => open_cuda(),
        DeviceChoice::Auto if !CUDA_BUILT => Ok(Device::Cpu),
        DeviceChoice::Auto => Ok(open_cuda().unwrap_or(Device::Cpu)),
    }
}

/// A short name for reports: `cpu` or `cuda:N`.
pub fn describe(device: &Device) -> String {
    match device.location() {
        candle_core::DeviceLocation::Cpu => "cpu".into(),
        candle_core::DeviceLocation::Cuda { gpu_id } => format!("cuda:{gpu_id}"),
        candle_core::DeviceLocation::Metal { gpu_id } => format!("metal:{gpu_id}"),
    }
}

fn open_cuda() -> Result<Device, DeviceError> {
    Device::new_cuda(0).map_err(|error| DeviceError::CudaUnavailable(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for name in DeviceChoice::NAMES {
            let choice: DeviceChoice = name.parse().unwrap();
            assert_eq!(choice.to_string(), name);
            let json: DeviceChoice = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(json, choice);
        }
        assert_eq!(" CUDA ".parse::<DeviceChoice>(), Ok(DeviceChoice::Cuda));
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_choices() {
        let error = "tpu".parse::<DeviceChoice>().unwrap_err();
        assert_eq!(error, DeviceError::Unknown("tpu".into()));
        let message = error.to_string();
        assert!(
            message.contains("\"tpu\"") && message.contains("\"cuda\""),
            "{message}"
        );
    }

    #[test]
    fn the_default_is_auto_and_cpu_is_always_there() {
        assert_eq!(DeviceChoice::default(), DeviceChoice::Auto);
        assert!(select(DeviceChoice::Cpu).unwrap().is_cpu());
        assert_eq!(describe(&Device::Cpu), "cpu");
    }

    #[test]
    fn the_device_argument_is_taken_out_of_the_arguments() {
        // Arguments given, what is taken, arguments left.
        type Case = (
            &'static [&'static str],
            Result<DeviceChoice, DeviceError>,
            &'static [&'static str],
        );
        let cases: [Case; 5] = [
            (&["a", "b"], Ok(DeviceChoice::Auto), &["a", "b"]),
            (
                &["a", "--device", "cuda", "b"],
                Ok(DeviceChoice::Cuda),
                &["a", "b"],
            ),
            (&["--device=cpu", "a"], Ok(DeviceChoice::Cpu), &["a"]),
            (
                &["a", "--device"],
                Err(DeviceError::Unknown(String::new())),
                &["a"],
            ),
            (
                &["--device", "npu"],
                Err(DeviceError::Unknown("npu".into())),
                &[],
            ),
        ];
        for (given, expected, left) in cases {
            let mut arguments: Vec<String> = given.iter().map(|text| text.to_string()).collect();
            assert_eq!(take_device_argument(&mut arguments), expected, "{given:?}");
            assert_eq!(arguments, left, "{given:?}");
        }
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn without_the_feature_cuda_is_refused_and_auto_is_the_cpu() {
        let error = select(DeviceChoice::Cuda).unwrap_err();
        assert_eq!(error, DeviceError::CudaNotBuilt);
        assert!(error.to_string().contains("`cuda` feature"), "{error}");
        assert!(select(DeviceChoice::Auto).unwrap().is_cpu());
    }

    #[cfg(feature = "cuda")]
    #[test]
    fn with_the_feature_auto_agrees_with_an_explicit_cuda_request() {
        // Holds on machines with and without a GPU: auto is CUDA exactly when CUDA opens.
        let auto = select(DeviceChoice::Auto).unwrap();
        match select(DeviceChoice::Cuda) {
            Ok(cuda) => assert!(auto.is_cuda() && cuda.is_cuda()),
            Err(error) => {
                assert!(auto.is_cpu());
                assert!(matches!(error, DeviceError::CudaUnavailable(_)), "{error}");
            }
        }
    }
}
