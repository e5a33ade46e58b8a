//! Step 4: how the file's columns map to the roster's fields, with a preview;
//! any mapping can be changed, and the roster is checked again at once.

use crate::shared::state::use_app;
use leptos::prelude::*;
use smime_bulk_roster::mapping::Field;
use smime_bulk_roster::Mode;

/// A select per column and the first rows.
#[component]
pub fn MappingStep() -> impl IntoView {
    let state = use_app();
    let choose = move |column: usize, value: String| {
        let Some(info) = state.loaded.get_untracked() else {
            return;
        };
        // The choice made last, if the check it started has not come back
        // yet: a second column changed meanwhile must not undo the first.
        let mut chosen: Vec<Option<Field>> = state
            .mapping_choice
            .get_untracked()
            .filter(|c| c.len() == info.headers.len())
            .unwrap_or_else(|| {
                (0..info.headers.len())
                    .map(|i| Field::ALL.into_iter().find(|f| info.mapping.column(*f) == Some(i)))
                    .collect()
            });
        let field = Field::ALL.into_iter().find(|f| f.label() == value);
        if let Some(f) = field {
            // A field belongs to one column: taking it frees the other.
            for c in chosen.iter_mut() {
                if *c == Some(f) {
                    *c = None;
                }
            }
        }
        if let Some(slot) = chosen.get_mut(column) {
            *slot = field;
        }
        state.mapping_choice.set(Some(chosen));
    };
    let body = move || {
        let info = state.loaded.get()?;
        if info.mode == Mode::List {
            return Some(view! { <p class="hint">"Read as a list of addresses: one row per address; the CA collects names and countries during validation."</p> }.into_any());
        }
        let rows = state.preview.get();
        let columns = info.headers.iter().enumerate().map(|(i, header)| {
            let current = Field::ALL.into_iter().find(|f| info.mapping.column(*f) == Some(i)).map_or("", |f| f.label());
            let id = format!("map-col-{i}");
            let label = if header.is_empty() { format!("Column {}", i + 1) } else { header.clone() };
            let samples: Vec<String> = rows.iter().map(|r| r.get(i).cloned().unwrap_or_default()).collect();
            view! {
                <tr>
                    <th scope="row"><label for=id.clone()>{label}</label></th>
                    <td>
                        <select id=id on:change=move |ev| choose(i, event_target_value(&ev))>
                            <option value="" selected=current.is_empty()>"Not used"</option>
                            {Field::ALL.into_iter().map(|f| view! { <option value=f.label() selected=current == f.label()>{f.label()}</option> }).collect_view()}
                        </select>
                    </td>
                    {samples.into_iter().map(|s| view! { <td class="sample">{s.chars().take(40).collect::<String>()}</td> }).collect_view()}
                </tr>
            }
        }).collect_view();
        Some(
            view! {
                <table class="data" id="mapping">
                    <caption class="hint">"Each column of the file, the field it fills, and its first values."</caption>
                    <thead><tr>
                        <th scope="col">"Column in the file"</th><th scope="col">"Field"</th>
                        {(1..=rows.len()).map(|n| view! { <th scope="col">{format!("Row {n}")}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>{columns}</tbody>
                </table>
            }
            .into_any(),
        )
    };
    view! {
        <section class="step" id="step-mapping" aria-labelledby="mapping-title">
            <h2 id="mapping-title" tabindex="-1">"4. Map columns"</h2>
            {move || body().unwrap_or_else(|| view! { <p class="hint">"Load a roster to see how its columns are read."</p> }.into_any())}
        </section>
    }
}
