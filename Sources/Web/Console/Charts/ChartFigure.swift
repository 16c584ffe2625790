/// What every dashboard chart is drawn in (the `chart` template): a `<figure>` whose SVG is an
/// image with a title and a description (`role="img"`, named by them), a legend in HTML, and
/// the numbers as a table in a `<details>` (what a screen reader, a copy and paste, or a test
/// reads).
struct ChartFigure {
    /// Unique on the page: the prefix of the SVG's `title`/`desc` ids.
    let id: String
    let title: String
    /// A sentence saying what the chart shows, with its totals.
    let description: String

    /// One entry of the legend: a colour class of console.css and its words.
    struct LegendItem {
        var colour: String
        var label: String
        var value: String
    }

    /// The template's context for `shapes` in `width`×`height` user units, with the legend and
    /// the table (`header`, then `rows` of cells, the first cell of each row its header).
    func context(
        width: Int, height: Int, shapes: ChartShapes, legend: [LegendItem], caption: String, header: [String],
        rows: [[String]]
    ) -> [String: Any] {
        var figure = shapes.context
        figure["id"] = id
        figure["title"] = title
        figure["desc"] = description
        figure["width"] = width
        figure["height"] = height
        figure["legend"] = legend.map { ["colour": $0.colour, "label": $0.label, "value": $0.value] }
        figure["hasLegend"] = !legend.isEmpty
        figure["caption"] = caption
        figure["header"] = header.enumerated().map { ["text": $1, "numeric": $0 > 0] }
        figure["rows"] = rows.map { row in ["head": row.first ?? "", "cells": Array(row.dropFirst())] }
        return ["figure": figure]
    }

    /// What a chart without data shows instead: a sentence, no broken axes.
    static func empty(_ text: String) -> [String: Any] {
        ["emptyText": text]
    }
}
