//! Runs a dependency graph of tasks with bounded parallelism: a task starts once everything it
//! depends on has succeeded; when one fails, independent branches go on and its dependents are
//! skipped.

use std::collections::VecDeque;
use std::sync::mpsc;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

/// How many operations run at once unless `-parallelism` says otherwise (Terraform's default).
pub const DEFAULT_PARALLELISM: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Not run because something it depends on failed or was skipped.
    Skipped,
}

/// Runs `task` for every node of `graph` (edges point from a dependency to its dependent) with
/// at most `parallelism` tasks at once. Once `stop` answers true, nothing new starts: the
/// tasks running finish and the rest is skipped. Returns each node's outcome, indexed like
/// the nodes.
pub fn walk<N: Sync, E: Sync>(
    graph: &DiGraph<N, E>,
    parallelism: usize,
    stop: impl Fn() -> bool,
    task: impl Fn(NodeIndex) -> bool + Sync,
) -> Vec<Outcome> {
    let parallelism = parallelism.max(1);
    let count = graph.node_count();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; count];
    let mut waiting: Vec<usize> = graph
        .node_indices()
        .map(|node| graph.neighbors_directed(node, Direction::Incoming).count())
        .collect();
    let mut ready: VecDeque<NodeIndex> = graph
        .node_indices()
        .filter(|node| waiting[node.index()] == 0)
        .collect();
    let (sender, receiver) = mpsc::channel::<(NodeIndex, bool)>();
    std::thread::scope(|scope| {
        let mut running = 0usize;
        let mut finished = 0usize;
        while finished < count {
            while running < parallelism && !stop() {
                let Some(node) = ready.pop_front() else { break };
                running += 1;
                let sender = sender.clone();
                let task = &task;
                scope.spawn(move || {
                    let succeeded = task(node);
                    let _ = sender.send((node, succeeded));
                });
            }
            if running == 0 {
                // Nothing runs and nothing may start: the rest is skipped.
                break;
            }
            let Ok((node, succeeded)) = receiver.recv() else {
                break;
            };
            running -= 1;
            finished += 1;
            if succeeded {
                outcomes[node.index()] = Some(Outcome::Succeeded);
                for next in graph.neighbors(node) {
                    waiting[next.index()] -= 1;
                    if waiting[next.index()] == 0 && outcomes[next.index()].is_none() {
                        ready.push_back(next);
                    }
                }
            } else {
                outcomes[node.index()] = Some(Outcome::Failed);
                let mut stack: Vec<NodeIndex> = graph.neighbors(node).collect();
                while let Some(dependent) = stack.pop() {
                    if outcomes[dependent.index()].is_none() {
                        outcomes[dependent.index()] = Some(Outcome::Skipped);
                        finished += 1;
                        stack.extend(graph.neighbors(dependent));
                    }
                }
                ready.retain(|queued| outcomes[queued.index()].is_none());
            }
        }
    });
    outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or(Outcome::Skipped))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn failure_skips_dependents_and_spares_independent_branches() {
        // a -> b -> c ; d independent; b fails.
        let mut graph = DiGraph::<&str, ()>::new();
        let a = graph.add_node("a");
        let b = graph.add_node("b");
        let c = graph.add_node("c");
        let _independent = graph.add_node("d");
        graph.add_edge(a, b, ());
        graph.add_edge(b, c, ());
        let ran = Mutex::new(Vec::new());
        let outcomes = walk(
            &graph,
            2,
            || false,
            |node| {
                ran.lock().unwrap().push(graph[node]);
                graph[node] != "b"
            },
        );
        assert_eq!(
            outcomes,
            vec![
                Outcome::Succeeded,
                Outcome::Failed,
                Outcome::Skipped,
                Outcome::Succeeded
            ]
        );
        assert!(!ran.lock().unwrap().contains(&"c"));
    }

    #[test]
    fn nothing_new_starts_once_stopped() {
        // a -> b -> c; stop is requested while a runs.
        let mut graph = DiGraph::<&str, ()>::new();
        let a = graph.add_node("a");
        let b = graph.add_node("b");
        let c = graph.add_node("c");
        graph.add_edge(a, b, ());
        graph.add_edge(b, c, ());
        let stopped = std::sync::atomic::AtomicBool::new(false);
        let outcomes = walk(
            &graph,
            4,
            || stopped.load(Ordering::SeqCst),
            |_| {
                stopped.store(true, Ordering::SeqCst);
                true
            },
        );
        assert_eq!(
            outcomes,
            vec![Outcome::Succeeded, Outcome::Skipped, Outcome::Skipped]
        );
    }

    #[test]
    fn never_runs_more_than_the_bound() {
        let mut graph = DiGraph::<usize, ()>::new();
        for number in 0..12 {
            graph.add_node(number);
        }
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        walk(
            &graph,
            3,
            || false,
            |_| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                true
            },
        );
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
