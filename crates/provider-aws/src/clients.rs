//! The SDK clients for one configured provider, built for its target, and the runtime that
//! drives them (the engine's interface is synchronous; see lathe_core::provider).

use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use lathe_core::provider::ProviderError;

use crate::propagation::Propagation;
use crate::target::{LOCAL_DEFAULT_REGION, LocalRegion, ProviderSettings, Target};

/// One client per service, all for the same account and region.
pub struct Clients {
    runtime: tokio::runtime::Runtime,
    pub s3: aws_sdk_s3::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub region: String,
    /// The local region in use, if any.
    pub local: Option<LocalRegion>,
    /// Relative `source` paths are read from here: the folder of the configuration.
    pub module_directory: PathBuf,
    /// How long calls right after an IAM create wait for it to propagate.
    pub propagation: Propagation,
    /// The provider block's `default_tags`, which reads tell apart from a resource's own tags.
    pub default_tags: std::collections::BTreeMap<String, String>,
    account_id: OnceLock<String>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Clients")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Clients {
    /// Builds the clients; for the local target this finds (or starts) the local region unless
    /// the provider block names an endpoint for every service.
    pub fn connect(target: &Target, settings: &ProviderSettings) -> Result<Clients, ProviderError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|error| {
                ProviderError::new(format!("could not start the AWS client: {error}"))
            })?;
        let local = match target {
            Target::Local(source) if !settings.covers_every_service() => {
                Some(source.ensure_running().map_err(|message| {
                    ProviderError::new(format!("the local region: {message}"))
                })?)
            }
            _ => None,
        };
        let (sdk_config, default_endpoint, path_style) =
            runtime.block_on(load_config(target, local.as_ref(), settings))?;
        let region = sdk_config
            .region()
            .map(|region| region.to_string())
            .ok_or_else(|| {
                ProviderError::at_attribute(
                    "no AWS region is set: add `region = \"us-east-1\"` (or another) to the provider \"aws\" block, or set AWS_REGION",
                    "region",
                )
            })?;
        let endpoint = |service: &str| -> Option<String> {
            settings
                .endpoints
                .get(service)
                .cloned()
                .or_else(|| default_endpoint.clone())
        };
        let mut s3 = aws_sdk_s3::config::Builder::from(&sdk_config)
            .force_path_style(path_style || settings.s3_use_path_style);
        if let Some(url) = endpoint("s3") {
            s3 = s3.endpoint_url(url);
        }
        let mut iam = aws_sdk_iam::config::Builder::from(&sdk_config);
        if let Some(url) = endpoint("iam") {
            iam = iam.endpoint_url(url);
        }
        let mut sts = aws_sdk_sts::config::Builder::from(&sdk_config);
        if let Some(url) = endpoint("sts") {
            sts = sts.endpoint_url(url);
        }
        Ok(Clients {
            runtime,
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            region,
            local,
            module_directory: PathBuf::from("."),
            propagation: Propagation::default(),
            default_tags: settings.default_tags.clone(),
            account_id: OnceLock::new(),
        })
    }

    /// The account the credentials belong to (asked once, from STS).
    pub fn account_id(&self) -> Result<String, ProviderError> {
        if let Some(account) = self.account_id.get() {
            return Ok(account.clone());
        }
        let identity = self
            .block_on(self.sts.get_caller_identity().send())
            .map_err(crate::error::api(
                "reading the caller identity (sts:GetCallerIdentity)",
            ))?;
        let account = identity.account().unwrap_or_default().to_string();
        Ok(self.account_id.get_or_init(|| account).clone())
    }

    /// Runs one SDK future to completion on this provider's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// The shared SDK configuration, the endpoint every service uses unless the provider block
/// names its own, and whether S3 must use path-style addressing.
async fn load_config(
    target: &Target,
    local: Option<&LocalRegion>,
    settings: &ProviderSettings,
) -> Result<(aws_config::SdkConfig, Option<String>, bool), ProviderError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    let explicit = match (&settings.access_key, &settings.secret_key) {
        (Some(access_key), Some(secret_key)) => Some(Credentials::new(
            access_key,
            secret_key,
            settings.token.clone(),
            None,
            "provider-block",
        )),
        _ => None,
    };
    match target {
        Target::Local(_) => {
            let region = settings
                .region
                .clone()
                .unwrap_or_else(|| LOCAL_DEFAULT_REGION.to_string());
            loader = loader.region(Region::new(region));
            // Endpoints of the block's own (moto, another emulator) are signed with its keys;
            // otherwise the local region's keys sign for everything.
            match (explicit, local) {
                (Some(credentials), _) => loader = loader.credentials_provider(credentials),
                (None, Some(local)) => {
                    loader = loader.credentials_provider(Credentials::new(
                        &local.access_key_id,
                        &local.secret_access_key,
                        None,
                        None,
                        "local-region",
                    ));
                }
                (None, None) => {}
            }
            Ok((
                loader.load().await,
                local.map(|local| local.endpoint.clone()),
                true,
            ))
        }
        Target::Aws => {
            if let Some(profile) = &settings.profile {
                loader = loader.profile_name(profile);
            }
            if let Some(region) = &settings.region {
                loader = loader.region(Region::new(region.clone()));
            }
            if let Some(credentials) = explicit {
                loader = loader.credentials_provider(credentials);
            }
            let config = loader.load().await;
            check_credentials(&config, settings).await?;
            Ok((config, None, false))
        }
    }
}

/// Real AWS without credentials is an error here, before any plan, never a quiet fallback.
async fn check_credentials(
    config: &aws_config::SdkConfig,
    settings: &ProviderSettings,
) -> Result<(), ProviderError> {
    let profile = settings
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .filter(|profile| !profile.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let advice = format!(
        "lathe was asked to target real AWS (-target-env=aws or LATHE_TARGET=aws) but found no AWS credentials for profile `{profile}`: run `aws configure` (or `aws sso login`), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or drop -target-env=aws to use the local region"
    );
    let Some(provider) = config.credentials_provider() else {
        return Err(ProviderError::new(advice));
    };
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|error| ProviderError::new(format!("{advice} ({error})")))
}
