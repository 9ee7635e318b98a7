//! The WHERE clause: one filter's predicate, the portal and type scope, OR groups (or, on
//! SQLite, a union of per-group id lists) and free-text terms.

use super::*;

pub(super) fn list(b: &mut Builder, values: &[Operand]) {
    b.list(values.iter().map(Bind::from));
}

pub(super) fn filter(b: &mut Builder, scope: Scope<'_>, f: &Filter) {
    if let Target::Association(to) = &f.target {
        return association(b, scope, to, &f.op);
    }
    let e = compare_expr(b.dialect, &f.target);
    let cmp = |b: &mut Builder, op: &str, v: &Operand| {
        b.push(&format!("{e} {op} ")).bind(v.into());
    };
    match &f.op {
        Op::Eq(v) => cmp(b, "=", v),
        Op::Lt(v) => cmp(b, "<", v),
        Op::Lte(v) => cmp(b, "<=", v),
        Op::Gt(v) => cmp(b, ">", v),
        Op::Gte(v) => cmp(b, ">=", v),
        // Negations also match objects without a value.
        Op::Neq(v) => {
            b.push(&format!("NOT COALESCE({e} = "))
                .bind(v.into())
                .push(", FALSE)");
        }
        Op::Between(lo, hi) => {
            b.push(&format!("{e} BETWEEN "))
                .bind(lo.into())
                .push(" AND ")
                .bind(hi.into());
        }
        Op::In(vs) => {
            b.push(&format!("{e} IN "));
            list(b, vs);
        }
        Op::NotIn(vs) => {
            b.push(&format!("NOT COALESCE({e} IN "));
            list(b, vs);
            b.push(", FALSE)");
        }
        Op::HasProperty | Op::NotHasProperty => {
            let has = matches!(f.op, Op::HasProperty);
            match &f.target {
                Target::Doc(name, _) => {
                    let not = if has { "NOT " } else { "" };
                    b.push(&format!("{} IS {not}NULL", raw_text(name)));
                }
                // Row columns always have a value.
                _ => {
                    b.push(if has { "TRUE" } else { "FALSE" });
                }
            }
        }
        Op::ContainsToken(p) | Op::NotContainsToken(p) => {
            let Target::Doc(name, _) = &f.target else {
                unreachable!("validated: tokens only on document properties")
            };
            let negate = matches!(f.op, Op::NotContainsToken(_));
            if negate {
                b.push("NOT COALESCE(");
            }
            b.push(&format!("{} LIKE ", token_text(b.dialect, name)))
                .bind(Bind::Text(format!("% {p} %")))
                .push(" ESCAPE '\\'");
            if negate {
                b.push(", FALSE)");
            }
        }
    }
}

/// `associations.{to}`: EQ and IN read the reverse rows of the named objects (a key range:
/// from those ids to this scope's type), so the ids come from the index, not a scan; HAS_PROPERTY
/// asks each candidate's forward rows. Associated objects that are archived do not count.
fn association(b: &mut Builder, scope: Scope<'_>, to: &str, op: &Op) {
    let to = checked(to);
    match op {
        Op::Eq(_) | Op::In(_) => {
            let values: Vec<&Operand> = match op {
                Op::Eq(v) => vec![v],
                Op::In(vs) => vs.iter().collect(),
                _ => unreachable!(),
            };
            b.push(
                "id IN (SELECT a.to_id FROM associations a JOIN objects t \
                 ON t.portal_id = a.portal_id AND t.id = a.from_id WHERE a.portal_id = ",
            )
            .bind(Bind::Int(scope.portal))
            .push(" AND a.from_id IN ")
            .list(values.into_iter().map(Bind::from))
            .push(&format!(
                " AND a.to_type = '{}' AND t.object_type = '{to}' AND t.archived = FALSE)",
                checked(scope.object_type)
            ));
        }
        Op::HasProperty | Op::NotHasProperty => {
            let not = if matches!(op, Op::NotHasProperty) {
                "NOT "
            } else {
                ""
            };
            b.push(&format!(
                "{not}EXISTS (SELECT 1 FROM associations a JOIN objects t \
                 ON t.portal_id = a.portal_id AND t.id = a.to_id \
                 WHERE a.portal_id = objects.portal_id AND a.from_id = objects.id \
                 AND a.to_type = '{to}' AND t.archived = FALSE)"
            ));
        }
        _ => unreachable!("validated: EQ, IN and HAS_PROPERTY only on associations"),
    }
}

/// Whether every OR group has an equality (EQ or IN): then the matches are few and each group
/// can be answered from its own index.
pub(super) fn selective(search: &Search) -> bool {
    !search.groups.is_empty()
        && search
            .groups
            .iter()
            .all(|g| g.iter().any(|f| matches!(f.op, Op::Eq(_) | Op::In(_))))
}

/// Whether the search's page can be read in order from one of the type's `(equality, sort)`
/// indexes: one AND group with an EQ on the index's first property, sorted by its second. Then
/// the planner walks that index within the equal value and stops after the page, reading only
/// the page's rows (W3 at 1M on SQLite: 12 ms fenced, under 1 ms walking the index).
pub(super) fn walks_sorted_index(search: &Search) -> bool {
    matches!(search.groups.as_slice(), [group] if group_walks_sorted_index(search, group))
}

/// Whether one AND group, in the search's order, is a walk of one of the type's `(equality,
/// sort)` indexes: it has an EQ on the index's first property and the search sorts by its second.
pub(super) fn group_walks_sorted_index(search: &Search, group: &[Filter]) -> bool {
    let Some(Sort {
        target: Target::Doc(by, _),
        ..
    }) = &search.sort
    else {
        return false;
    };
    search.sorted_indexes.iter().any(|(eq, s)| {
        s == by
            && group
                .iter()
                .any(|f| matches!((&f.target, &f.op), (Target::Doc(n, _), Op::Eq(_)) if n == eq))
    })
}

/// Which rows a statement may see: one portal's objects of one type, live or archived.
#[derive(Clone, Copy)]
pub(super) struct Scope<'a> {
    portal: i64,
    object_type: &'a str,
    archived: bool,
}

impl<'a> Scope<'a> {
    pub(super) fn new(portal: i64, object_type: &'a str, archived: bool) -> Self {
        Scope {
            portal,
            object_type,
            archived,
        }
    }

    pub(super) fn live(portal: i64, object_type: &'a str) -> Self {
        Self::new(portal, object_type, false)
    }
}

pub(super) fn scope_conditions(b: &mut Builder, scope: Scope<'_>) {
    // The type name is a registry constant; written as a literal so partial indexes apply.
    b.push("portal_id = ")
        .bind(Bind::Int(scope.portal))
        .push(&format!(
            " AND object_type = '{}' AND archived = {}",
            checked(scope.object_type),
            if scope.archived { "TRUE" } else { "FALSE" }
        ));
}

/// The WHERE clause shared by the page and the count.
pub(super) fn conditions(b: &mut Builder, scope: Scope<'_>, search: &Search) {
    scope_conditions(b, scope);
    if unions_groups(b.dialect, search) {
        b.push(" AND id IN (");
        id_lists(b, scope, search, " UNION ALL ", false);
        b.push(")");
    } else if !search.groups.is_empty() {
        b.push(" AND (");
        for (gi, group) in search.groups.iter().enumerate() {
            if gi > 0 {
                b.push(" OR ");
            }
            b.push("(");
            if group.is_empty() {
                b.push("TRUE");
            }
            for (fi, f) in group.iter().enumerate() {
                if fi > 0 {
                    b.push(" AND ");
                }
                filter(b, scope, f);
            }
            b.push(")");
        }
        b.push(")");
    }
    query_conditions(b, search);
}

/// Whether the groups are read as a union of per-group id lists: several selective groups on
/// SQLite, so each group is answered from its own index (SQLite does not turn such an OR into a
/// multi-index union). PostgreSQL does, with a BitmapOr over the groups' indexes, and there the
/// union form was 5x slower at 1M (85 vs 17 ms for W4's count: a hash of the ids and a lookup
/// per id instead of one bitmap heap scan), so it keeps the plain OR.
pub(super) fn unions_groups(dialect: Dialect, search: &Search) -> bool {
    dialect == Dialect::Sqlite && search.groups.len() > 1 && selective(search)
}

/// Each group's ids (`SELECT id … WHERE scope AND filters`), joined by `union`; with `terms`
/// each list applies the free-text terms too.
pub(super) fn id_lists(
    b: &mut Builder,
    scope: Scope<'_>,
    search: &Search,
    union: &str,
    terms: bool,
) {
    for (gi, group) in search.groups.iter().enumerate() {
        if gi > 0 {
            b.push(union);
        }
        b.push("SELECT id FROM objects WHERE ");
        scope_conditions(b, scope);
        group_conditions(b, scope, group);
        if terms {
            query_conditions(b, search);
        }
    }
}

/// ` AND` each filter of one group.
pub(super) fn group_conditions(b: &mut Builder, scope: Scope<'_>, group: &[Filter]) {
    for f in group {
        b.push(" AND ");
        filter(b, scope, f);
    }
}

/// ` AND` each free-text term: it must prefix-match a token of one of the text properties.
pub(super) fn query_conditions(b: &mut Builder, search: &Search) {
    for term in &search.query_terms {
        b.push(" AND (");
        for (i, name) in search.text_properties.iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            b.push(&format!("{} LIKE ", token_text(b.dialect, name)))
                .bind(Bind::Text(format!("% {term}%")))
                .push(" ESCAPE '\\'");
        }
        if search.text_properties.is_empty() {
            b.push("FALSE");
        }
        b.push(")");
    }
}

/// ` AND (group OR group …)` over the `objects` rows of one portal and type: filter groups used
/// as a definition (a goal target's KPI filters) rather than as a search. Association filters
/// are refused before this (`ast` callers check), since they name the table `objects`.
pub fn or_groups(b: &mut Builder, portal: i64, object_type: &str, groups: &[Vec<Filter>]) {
    if groups.is_empty() {
        return;
    }
    let scope = Scope::live(portal, object_type);
    b.push(" AND (");
    for (gi, group) in groups.iter().enumerate() {
        if gi > 0 {
            b.push(" OR ");
        }
        b.push("(TRUE");
        group_conditions(b, scope, group);
        b.push(")");
    }
    b.push(")");
}
