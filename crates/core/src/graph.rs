//! The dependency graph of a module's items (variables, locals, providers, resources, outputs),
//! built from references and `depends_on`, with cycle detection.

use std::collections::{BTreeMap, BTreeSet};

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::expression::{Reference, ReferenceTarget};
use lathe_config::model::{Module, ResourceConfig};
use lathe_config::source::Span;
use petgraph::graph::{DiGraph, NodeIndex};

/// One item of a module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Variable(String),
    Local(String),
    /// `aws` or `aws.west`.
    Provider(String),
    /// `aws_s3_bucket.b` or `data.aws_region.current`.
    Resource(String),
    Output(String),
}

impl std::fmt::Display for Item {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Variable(name) => write!(formatter, "var.{name}"),
            Item::Local(name) => write!(formatter, "local.{name}"),
            Item::Provider(name) => write!(formatter, "provider[\"{name}\"]"),
            Item::Resource(address) => write!(formatter, "{address}"),
            Item::Output(name) => write!(formatter, "output.{name}"),
        }
    }
}

/// Edges point from a dependency to what depends on it, so a topological order is a valid
/// evaluation order.
#[derive(Debug, Clone)]
pub struct ModuleGraph {
    pub graph: DiGraph<Item, ()>,
    pub index: BTreeMap<Item, NodeIndex>,
    spans: BTreeMap<Item, Span>,
    /// Where each dependency is referred to: (dependency, dependent) to the first reference.
    reference_spans: BTreeMap<(Item, Item), Span>,
}

/// The provider configuration a resource uses: `aws` or `aws.west`.
pub fn provider_key(resource: &ResourceConfig) -> String {
    match &resource.provider {
        Some(provider) => provider.clone(),
        None => crate::provider::provider_for_type(&resource.type_name).to_string(),
    }
}

fn reference_item(reference: &Reference) -> Option<Item> {
    match &reference.target {
        ReferenceTarget::Variable(name) => Some(Item::Variable(name.clone())),
        ReferenceTarget::Local(name) => Some(Item::Local(name.clone())),
        ReferenceTarget::Resource { .. } => Some(Item::Resource(reference.target.address())),
        _ => None,
    }
}

/// Every reference a resource's configuration makes, meta-arguments included.
pub fn resource_references(resource: &ResourceConfig) -> Vec<Reference> {
    let mut references = resource.body.references();
    references.extend(resource.count.iter().flat_map(|count| count.references()));
    references.extend(
        resource
            .for_each
            .iter()
            .flat_map(|for_each| for_each.references()),
    );
    references.extend(resource.depends_on.iter().cloned());
    references.extend(resource.lifecycle.replace_triggered_by.iter().cloned());
    for provisioner in &resource.provisioners {
        references.extend(provisioner.body.references());
    }
    references
}

impl ModuleGraph {
    /// Builds the graph; a cycle is an error diagnostic naming every item on it.
    pub fn build(module: &Module) -> Result<ModuleGraph, Diagnostics> {
        let mut graph = ModuleGraph {
            graph: DiGraph::new(),
            index: BTreeMap::new(),
            spans: BTreeMap::new(),
            reference_spans: BTreeMap::new(),
        };
        for variable in &module.variables {
            graph.add(Item::Variable(variable.name.clone()), variable.span.clone());
        }
        for local in &module.locals {
            graph.add(Item::Local(local.name.clone()), local.span.clone());
        }
        for provider in &module.providers {
            let key = match &provider.alias {
                Some(alias) => format!("{}.{alias}", provider.name),
                None => provider.name.clone(),
            };
            graph.add(Item::Provider(key), provider.span.clone());
        }
        for resource in &module.resources {
            graph.add(Item::Resource(resource.address()), resource.span.clone());
        }
        for output in &module.outputs {
            graph.add(Item::Output(output.name.clone()), output.span.clone());
        }
        for local in &module.locals {
            graph.connect_all(
                &Item::Local(local.name.clone()),
                &local.expression.references(),
            );
        }
        for provider in &module.providers {
            let key = match &provider.alias {
                Some(alias) => format!("{}.{alias}", provider.name),
                None => provider.name.clone(),
            };
            graph.connect_all(&Item::Provider(key), &provider.body.references());
        }
        for resource in &module.resources {
            let item = Item::Resource(resource.address());
            graph.connect_all(&item, &resource_references(resource));
            let provider = Item::Provider(provider_key(resource));
            if graph.index.contains_key(&provider) {
                graph.connect(&provider, &item);
            }
        }
        for output in &module.outputs {
            let item = Item::Output(output.name.clone());
            let mut references = output.value.references();
            references.extend(output.depends_on.iter().cloned());
            graph.connect_all(&item, &references);
        }
        graph.check_cycles()?;
        Ok(graph)
    }

    fn add(&mut self, item: Item, span: Span) {
        let node = self.graph.add_node(item.clone());
        self.index.insert(item.clone(), node);
        self.spans.insert(item, span);
    }

    fn connect(&mut self, dependency: &Item, dependent: &Item) {
        if let (Some(&from), Some(&to)) = (self.index.get(dependency), self.index.get(dependent))
            && self.graph.find_edge(from, to).is_none()
        {
            self.graph.add_edge(from, to, ());
        }
    }

    fn connect_all(&mut self, dependent: &Item, references: &[Reference]) {
        for reference in references {
            if let Some(dependency) = reference_item(reference) {
                self.connect(&dependency, dependent);
                self.reference_spans
                    .entry((dependency, dependent.clone()))
                    .or_insert_with(|| reference.span.clone());
            }
        }
    }

    fn check_cycles(&self) -> Result<(), Diagnostics> {
        let mut diagnostics = Diagnostics::default();
        for component in petgraph::algo::tarjan_scc(&self.graph) {
            let self_loop =
                component.len() == 1 && self.graph.find_edge(component[0], component[0]).is_some();
            if component.len() < 2 && !self_loop {
                continue;
            }
            if self_loop {
                let item = &self.graph[component[0]];
                let mut diagnostic = Diagnostic::error("Self-referential block")
                    .with_detail(format!("Configuration for {item} may not refer to itself."))
                    .with_help("inside a provisioner use `self.<attribute>`; elsewhere refer to another resource, a variable or a local");
                let span = self
                    .reference_spans
                    .get(&(item.clone(), item.clone()))
                    .or_else(|| self.spans.get(item));
                if let Some(span) = span {
                    diagnostic = diagnostic.with_span(span.clone());
                }
                diagnostics.push(diagnostic);
                continue;
            }
            let cycle = self.order_cycle(&component);
            let names: Vec<String> = cycle
                .iter()
                .map(|node| self.graph[*node].to_string())
                .collect();
            let first = &self.graph[cycle[0]];
            let mut diagnostic = Diagnostic::error(format!("Cycle: {}", names.join(" → ")))
                .with_detail(format!(
                    "These items refer to each other in a loop, so none of them can be evaluated first: {} → {}.",
                    names.join(" → "),
                    names[0]
                ))
                .with_help("remove one of the references (or a depends_on entry) to break the cycle");
            // Each step of the loop is a reference: point at every one of them.
            let last = &self.graph[cycle[cycle.len() - 1]];
            let primary = self
                .reference_spans
                .get(&(last.clone(), first.clone()))
                .or_else(|| self.spans.get(first));
            if let Some(span) = primary {
                diagnostic = diagnostic.with_span(span.clone());
            }
            for pair in cycle.windows(2) {
                let (dependency, dependent) = (&self.graph[pair[0]], &self.graph[pair[1]]);
                let span = self
                    .reference_spans
                    .get(&(dependency.clone(), dependent.clone()))
                    .or_else(|| self.spans.get(dependent));
                if let Some(span) = span {
                    diagnostic = diagnostic
                        .with_label(span.clone(), format!("{dependent} refers to {dependency}"));
                }
            }
            diagnostics.push(diagnostic);
        }
        if diagnostics.is_empty() {
            Ok(())
        } else {
            Err(diagnostics)
        }
    }

    /// Orders the members of a strongly connected component along its edges, starting at the
    /// smallest item, so the message reads as a path and is the same on every run.
    fn order_cycle(&self, component: &[NodeIndex]) -> Vec<NodeIndex> {
        let members: BTreeSet<NodeIndex> = component.iter().copied().collect();
        let start = *component
            .iter()
            .min_by(|left, right| self.graph[**left].cmp(&self.graph[**right]))
            .expect("a component is never empty");
        let mut ordered = vec![start];
        let mut current = start;
        while ordered.len() < members.len() {
            let next = self
                .graph
                .neighbors(current)
                .filter(|node| members.contains(node) && !ordered.contains(node))
                .min_by(|left, right| self.graph[*left].cmp(&self.graph[*right]));
            match next {
                Some(node) => {
                    ordered.push(node);
                    current = node;
                }
                None => break,
            }
        }
        ordered
    }

    /// Items in an order where each comes after everything it depends on (ties by name).
    pub fn order(&self) -> Vec<Item> {
        let mut remaining: BTreeMap<NodeIndex, usize> = self
            .graph
            .node_indices()
            .map(|node| {
                (
                    node,
                    self.graph
                        .neighbors_directed(node, petgraph::Direction::Incoming)
                        .count(),
                )
            })
            .collect();
        let mut ready: BTreeSet<Item> = remaining
            .iter()
            .filter(|(_, count)| **count == 0)
            .map(|(node, _)| self.graph[*node].clone())
            .collect();
        let mut order = Vec::new();
        while let Some(item) = ready.pop_first() {
            let node = self.index[&item];
            for next in self.graph.neighbors(node) {
                let count = remaining.get_mut(&next).expect("every node is counted");
                *count -= 1;
                if *count == 0 {
                    ready.insert(self.graph[next].clone());
                }
            }
            order.push(item);
        }
        order
    }

    /// The resources an item depends on, directly or through locals, variables and outputs.
    pub fn resource_dependencies(&self, item: &Item) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let Some(&start) = self.index.get(item) else {
            return found;
        };
        let mut stack: Vec<NodeIndex> = self
            .graph
            .neighbors_directed(start, petgraph::Direction::Incoming)
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(node) = stack.pop() {
            if !seen.insert(node) {
                continue;
            }
            match &self.graph[node] {
                Item::Resource(address) => {
                    found.insert(address.clone());
                }
                _ => stack.extend(
                    self.graph
                        .neighbors_directed(node, petgraph::Direction::Incoming),
                ),
            }
        }
        found
    }

    /// Every item that depends on `item`, directly or not.
    pub fn dependents(&self, item: &Item) -> BTreeSet<Item> {
        let mut found = BTreeSet::new();
        let Some(&start) = self.index.get(item) else {
            return found;
        };
        let mut stack: Vec<NodeIndex> = self.graph.neighbors(start).collect();
        while let Some(node) = stack.pop() {
            if found.insert(self.graph[node].clone()) {
                stack.extend(self.graph.neighbors(node));
            }
        }
        found
    }

    /// Every item that `item` depends on, directly or not.
    pub fn dependencies(&self, item: &Item) -> BTreeSet<Item> {
        let mut found = BTreeSet::new();
        let Some(&start) = self.index.get(item) else {
            return found;
        };
        let mut stack: Vec<NodeIndex> = self
            .graph
            .neighbors_directed(start, petgraph::Direction::Incoming)
            .collect();
        while let Some(node) = stack.pop() {
            if found.insert(self.graph[node].clone()) {
                stack.extend(
                    self.graph
                        .neighbors_directed(node, petgraph::Direction::Incoming),
                );
            }
        }
        found
    }

    /// The graph in Graphviz DOT, as `lathe graph` prints it.
    pub fn to_dot(&self) -> String {
        let mut dot = String::from(
            "digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  subgraph \"root\" {\n",
        );
        let mut edges = Vec::new();
        for edge in self.graph.edge_indices() {
            if let Some((from, to)) = self.graph.edge_endpoints(edge) {
                edges.push((self.graph[to].to_string(), self.graph[from].to_string()));
            }
        }
        edges.sort();
        let mut nodes: Vec<String> = self.graph.node_weights().map(ToString::to_string).collect();
        nodes.sort();
        for node in nodes {
            dot.push_str(&format!(
                "    {:?} [label = {:?}, shape = \"box\"]\n",
                node, node
            ));
        }
        for (dependent, dependency) in edges {
            dot.push_str(&format!("    {dependent:?} -> {dependency:?}\n"));
        }
        dot.push_str("  }\n}\n");
        dot
    }
}
