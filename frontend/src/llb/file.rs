//! File ops: mkdir, mkfile and copy, chained on one base state.

use super::{Caps, Inputs, OpMeta, State, finish};
use crate::platform::Platform;
use crate::proto::pb;

/// A user or group, by number or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// A numeric id.
    Id(u32),
    /// A name, looked up in `/etc/passwd` or `/etc/group` of `lookup_in`.
    Name {
        /// The name.
        name: String,
        /// The state whose passwd/group files resolve it.
        lookup_in: State,
    },
}

/// Ownership for created files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chown {
    /// Owner.
    pub user: UserRef,
    /// Group (`None`: the user's primary group, as BuildKit resolves it).
    pub group: Option<UserRef>,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.to_input() == other.to_input()
    }
}
impl Eq for State {}

/// How a copy treats its source: BuildKit's `FileActionCopy` options
/// beyond source, destination and owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// Who owns what is copied.
    pub owner: Option<Chown>,
    /// The mode of everything copied (`None`: the source's).
    pub mode: Option<u32>,
    /// Copy a directory's contents into `dest`, rather than the directory
    /// itself (as a Dockerfile's COPY does).
    pub contents: bool,
    /// `src` may be a glob.
    pub wildcard: bool,
    /// A glob that matches nothing copies nothing, rather than failing.
    pub allow_empty_wildcard: bool,
    /// A symbolic link named by `src` is followed.
    pub follow_symlink: bool,
}

#[derive(Debug, Clone)]
enum Action {
    Mkdir {
        path: String,
        mode: i32,
        parents: bool,
        owner: Option<Chown>,
        timestamp: i64,
    },
    Mkfile {
        path: String,
        mode: i32,
        data: Vec<u8>,
    },
    Copy {
        from: State,
        src: String,
        dest: String,
        options: CopyOptions,
    },
}

/// A chain of file actions applied to a base state; the last action's
/// result is the op's only output.
#[derive(Debug, Clone)]
pub struct FileOp {
    base: State,
    actions: Vec<Action>,
    platform: Platform,
}

impl FileOp {
    /// Starts a chain on `base`; `platform` goes on the op (see
    /// [`super::Local::new`]).
    pub fn on(base: &State, platform: &Platform) -> Self {
        FileOp {
            base: base.clone(),
            actions: Vec::new(),
            platform: platform.clone(),
        }
    }

    /// Creates a directory.
    pub fn mkdir(self, path: &str, mode: i32, parents: bool, owner: Option<Chown>) -> Self {
        self.mkdir_at(path, mode, parents, owner, None)
    }

    /// Creates a directory with its times set to `timestamp` (nanoseconds
    /// since the epoch; `None`: when the op runs). A directory that exists
    /// is left as it is.
    pub fn mkdir_at(
        mut self,
        path: &str,
        mode: i32,
        parents: bool,
        owner: Option<Chown>,
        timestamp: Option<i64>,
    ) -> Self {
        self.actions.push(Action::Mkdir {
            path: path.to_string(),
            mode,
            parents,
            owner,
            timestamp: timestamp.unwrap_or(-1),
        });
        self
    }

    /// Writes a file holding `data` (its parent must exist), owned by root.
    pub fn mkfile(mut self, path: &str, mode: i32, data: Vec<u8>) -> Self {
        self.actions.push(Action::Mkfile {
            path: path.to_string(),
            mode,
            data,
        });
        self
    }

    /// Copies `src` of `from` to `dest`, creating missing parents of `dest`.
    pub fn copy(self, from: &State, src: &str, dest: &str, owner: Option<Chown>) -> Self {
        self.copy_with(
            from,
            src,
            dest,
            CopyOptions {
                owner,
                ..CopyOptions::default()
            },
        )
    }

    /// Copies the contents of directory `src` of `from` into `dest`.
    pub fn copy_contents(self, from: &State, src: &str, dest: &str, owner: Option<Chown>) -> Self {
        self.copy_with(
            from,
            src,
            dest,
            CopyOptions {
                owner,
                contents: true,
                ..CopyOptions::default()
            },
        )
    }

    /// Copies `src` of `from` to `dest` as `options` say, creating missing
    /// parents of `dest`.
    pub fn copy_with(mut self, from: &State, src: &str, dest: &str, options: CopyOptions) -> Self {
        self.actions.push(Action::Copy {
            from: from.clone(),
            src: src.to_string(),
            dest: dest.to_string(),
            options,
        });
        self
    }

    /// Marshals the op (`file.base`), or returns the base when there is
    /// nothing to do.
    pub fn build(self, meta: &OpMeta) -> State {
        if self.actions.is_empty() {
            return self.base;
        }
        let mut inputs = Inputs::default();
        let base_index = inputs.index(&self.base);
        // First pass: register every input, so that relative indices (which
        // count past the real inputs) are known before actions refer to them.
        let mut secondary = Vec::with_capacity(self.actions.len());
        let mut owners = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            secondary.push(match action {
                Action::Copy { from, .. } => inputs.index(from),
                _ => -1,
            });
            let owner = match action {
                Action::Mkdir { owner, .. } => owner.as_ref(),
                Action::Copy { options, .. } => options.owner.as_ref(),
                Action::Mkfile { .. } => None,
            };
            owners.push(owner.map(|o| chown_to_pb(o, &mut inputs)));
        }
        let count = inputs.len() as i64;
        let last = self.actions.len() - 1;
        let mut pb_actions = Vec::with_capacity(self.actions.len());
        for (i, action) in self.actions.into_iter().enumerate() {
            // The first action works on the base; each later one on the
            // previous action's result, numbered after the real inputs.
            let input = if i == 0 {
                base_index
            } else {
                count + i as i64 - 1
            };
            let owner = owners[i].clone();
            let action = match action {
                Action::Mkdir {
                    path,
                    mode,
                    parents,
                    timestamp,
                    ..
                } => pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                    path,
                    mode,
                    make_parents: parents,
                    owner,
                    timestamp,
                }),
                Action::Mkfile { path, mode, data } => {
                    pb::file_action::Action::Mkfile(pb::FileActionMkFile {
                        path,
                        mode,
                        data,
                        owner,
                        timestamp: -1,
                    })
                }
                Action::Copy {
                    src, dest, options, ..
                } => pb::file_action::Action::Copy(pb::FileActionCopy {
                    src,
                    dest,
                    owner,
                    // -1: keep the source's mode bits (a mode is at most
                    // 0o7777, checked by the spec).
                    mode: options
                        .mode
                        .and_then(|m| i32::try_from(m).ok())
                        .unwrap_or(-1),
                    follow_symlink: options.follow_symlink,
                    create_dest_path: true,
                    dir_copy_contents: options.contents,
                    allow_wildcard: options.wildcard,
                    allow_empty_wildcard: options.allow_empty_wildcard,
                    timestamp: -1,
                    ..pb::FileActionCopy::default()
                }),
            };
            pb_actions.push(pb::FileAction {
                input,
                secondary_input: secondary[i],
                output: if i == last { 0 } else { -1 },
                action: Some(action),
            });
        }
        let mut caps = Caps::default();
        caps.add("file.base");
        let (input_list, nodes) = inputs.into_parts();
        let op = pb::Op {
            inputs: input_list,
            op: Some(pb::op::Op::File(pb::FileOp {
                actions: pb_actions,
            })),
            ..pb::Op::default()
        };
        State::from_node(finish(op, nodes, Some(&self.platform), caps, meta), 0)
    }
}

fn user_to_pb(u: &UserRef, inputs: &mut Inputs) -> pb::UserOpt {
    let user = match u {
        UserRef::Id(id) => pb::user_opt::User::ById(*id),
        UserRef::Name { name, lookup_in } => pb::user_opt::User::ByName(pb::NamedUserOpt {
            name: name.clone(),
            input: inputs.index(lookup_in),
        }),
    };
    pb::UserOpt { user: Some(user) }
}

fn chown_to_pb(c: &Chown, inputs: &mut Inputs) -> pb::ChownOpt {
    pb::ChownOpt {
        user: Some(user_to_pb(&c.user, inputs)),
        group: c.group.as_ref().map(|g| user_to_pb(g, inputs)),
    }
}
