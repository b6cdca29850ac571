//! Provider schemas: the attributes and nested blocks of each resource and data source type.

use std::collections::BTreeMap;

use lathe_config::types::TypeConstraint;

/// One attribute of a resource, data source or provider configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeSchema {
    pub name: String,
    pub type_constraint: TypeConstraint,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// A change to this attribute can only be made by replacing the resource.
    pub force_new: bool,
    pub description: String,
}

impl AttributeSchema {
    fn new(name: &str, type_constraint: TypeConstraint) -> AttributeSchema {
        AttributeSchema {
            name: name.to_string(),
            type_constraint,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
            description: String::new(),
        }
    }

    pub fn required(name: &str, type_constraint: TypeConstraint) -> AttributeSchema {
        AttributeSchema {
            required: true,
            ..AttributeSchema::new(name, type_constraint)
        }
    }

    pub fn optional(name: &str, type_constraint: TypeConstraint) -> AttributeSchema {
        AttributeSchema {
            optional: true,
            ..AttributeSchema::new(name, type_constraint)
        }
    }

    /// Set by the provider, never by the configuration.
    pub fn computed(name: &str, type_constraint: TypeConstraint) -> AttributeSchema {
        AttributeSchema {
            computed: true,
            ..AttributeSchema::new(name, type_constraint)
        }
    }

    /// Settable, and filled in by the provider when left out.
    pub fn optional_computed(name: &str, type_constraint: TypeConstraint) -> AttributeSchema {
        AttributeSchema {
            optional: true,
            computed: true,
            ..AttributeSchema::new(name, type_constraint)
        }
    }

    pub fn force_new(mut self) -> AttributeSchema {
        self.force_new = true;
        self
    }

    pub fn sensitive(mut self) -> AttributeSchema {
        self.sensitive = true;
        self
    }

    pub fn described(mut self, description: &str) -> AttributeSchema {
        self.description = description.to_string();
        self
    }

    /// Whether the configuration may set this attribute.
    pub fn is_settable(&self) -> bool {
        self.required || self.optional
    }
}

/// How many times a nested block may appear and how its value is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; its value is an object (or null).
    Single,
    /// Any number; its value is a list of objects.
    List,
    /// Any number, unordered; its value is a list of objects.
    Set,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlockSchema {
    pub type_name: String,
    pub nesting: Nesting,
    pub min_items: usize,
    pub max_items: Option<usize>,
    pub force_new: bool,
    pub block: BlockSchema,
}

impl NestedBlockSchema {
    pub fn new(type_name: &str, nesting: Nesting, block: BlockSchema) -> NestedBlockSchema {
        NestedBlockSchema {
            type_name: type_name.to_string(),
            nesting,
            min_items: 0,
            max_items: if nesting == Nesting::Single {
                Some(1)
            } else {
                None
            },
            force_new: false,
            block,
        }
    }

    pub fn items(mut self, min_items: usize, max_items: Option<usize>) -> NestedBlockSchema {
        self.min_items = min_items;
        self.max_items = max_items;
        self
    }

    pub fn force_new(mut self) -> NestedBlockSchema {
        self.force_new = true;
        self
    }
}

/// The body of a resource, data source, provider configuration or nested block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockSchema {
    pub attributes: Vec<AttributeSchema>,
    pub blocks: Vec<NestedBlockSchema>,
    pub description: String,
}

impl BlockSchema {
    pub fn new(attributes: Vec<AttributeSchema>) -> BlockSchema {
        BlockSchema {
            attributes,
            blocks: Vec::new(),
            description: String::new(),
        }
    }

    pub fn with_block(mut self, block: NestedBlockSchema) -> BlockSchema {
        self.blocks.push(block);
        self
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeSchema> {
        self.attributes
            .iter()
            .find(|attribute| attribute.name == name)
    }

    pub fn block(&self, type_name: &str) -> Option<&NestedBlockSchema> {
        self.blocks
            .iter()
            .find(|block| block.type_name == type_name)
    }

    /// Every name that may appear in a body, for "did you mean" suggestions.
    pub fn names(&self) -> Vec<&str> {
        self.attributes
            .iter()
            .map(|attribute| attribute.name.as_str())
            .chain(self.blocks.iter().map(|block| block.type_name.as_str()))
            .collect()
    }
}

/// Everything a provider offers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProviderSchema {
    /// The body of the `provider "name" { ... }` block.
    pub provider: BlockSchema,
    pub resources: BTreeMap<String, BlockSchema>,
    pub data_sources: BTreeMap<String, BlockSchema>,
}
