"""Server-rendered SVG charts: named images, values as text, never colour alone, phone-sized."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from localrights_gateway.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # well-formed XML, or this raises


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


class TestBarChart:
    def test_an_image_named_by_its_title_and_description(self) -> None:
        svg = parse(
            charts.bar_chart(
                chart_id="c1",
                title="Is housing affordable?",
                description="The share of people who chose each option.",
                bars=[charts.Bar("Yes", 0.25, "25% (5)"), charts.Bar("No", 0.75, "75% (15)")],
                maximum=1.0,
            )
        )
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == "c1-title c1-desc"
        assert svg.find(f"{SVG}title").text == "Is housing affordable?"  # type: ignore[union-attr]
        assert svg.find(f"{SVG}desc").get("id") == "c1-desc"  # type: ignore[union-attr]

    def test_every_bar_has_its_label_and_value_as_text(self) -> None:
        svg = parse(
            charts.bar_chart(
                chart_id="c2",
                title="t",
                description="d",
                bars=[charts.Bar("Yes", 0.25, "25% (5)"), charts.Bar("No", 0.75, "75% (15)")],
                maximum=1.0,
            )
        )
        assert {"Yes", "No", "25% (5)", "75% (15)"} <= set(texts(svg))
        widths = [r.get("width") for r in svg.iter(f"{SVG}rect")]
        assert widths == ["25.00%", "75.00%"]  # percentages: the chart fits any width

    def test_long_labels_wrap_and_text_is_escaped(self) -> None:
        label = "Street lights on the road to the <school> & the health centre of the district"
        markup = charts.bar_chart(
            chart_id="c3", title="<b>", description="d", bars=[charts.Bar(label, 1, "1")]
        )
        svg = parse(markup)
        lines = [t for t in texts(svg) if t not in ("1",)]
        assert len(lines) >= 2 and all(len(line) <= charts.WRAP for line in lines)
        assert "<b>" not in str(markup) and "&lt;school&gt;" in str(markup)

    def test_a_zero_bar_still_says_zero(self) -> None:
        svg = parse(
            charts.bar_chart(
                chart_id="c4", title="t", description="d", bars=[charts.Bar("1", 0, "0%")]
            )
        )
        assert "0%" in texts(svg)


class TestGroupedBarChart:
    def test_each_bar_names_its_group_and_groups_differ_by_pattern_not_colour(self) -> None:
        markup = charts.grouped_bar_chart(
            chart_id="g1",
            title="Is housing affordable?",
            description="The share of each group who chose each option.",
            categories=["Yes", "No"],
            series=[
                charts.Series("Everyone", [charts.Bar("", 0.3, "30%"), charts.Bar("", 0.7, "70%")]),
                charts.Series("Under 30", [charts.Bar("", 0.5, "50%"), charts.Bar("", 0.5, "50%")]),
                charts.Series(
                    "30 or more", [charts.Bar("", 0.1, "10%"), charts.Bar("", 0.9, "90%")]
                ),
            ],
            maximum=1.0,
        )
        svg = parse(markup)
        words = texts(svg)
        # The key names each group once, then each category names each group again.
        assert words.count("Under 30") == 3 and words.count("30 or more") == 3
        assert {"Yes", "No", "90%", "10%"} <= set(words)
        fills = {
            r.get("fill") for r in svg.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")
        }
        assert {None, "url(#g1-hatch)", "url(#g1-dots)"} <= fills
        # Room is left after the longest bar for its value.
        widths = [
            float(r.get("width", "0").rstrip("%"))
            for r in svg.iter(f"{SVG}rect")
            if "chart-bar" in (r.get("class") or "") and r.get("width", "").endswith("%")
        ]
        assert max(widths) <= 100 * charts.PATTERNED_AT_MOST + 0.01


class TestLineChart:
    def test_points_labelled_and_the_target_marked(self) -> None:
        svg = parse(
            charts.line_chart(
                chart_id="l1",
                title="Households in camps",
                description="Households each year and the target.",
                points=[
                    charts.Point("2023", 60, "60"),
                    charts.Point("2024", 52, "52"),
                    charts.Point("2025", 41, "41"),
                ],
                target=20,
                target_text="Target: 20",
            )
        )
        assert {"2023", "2025", "60", "41", "Target: 20"} <= set(texts(svg))
        assert len(list(svg.iter(f"{SVG}circle"))) == 3
        classes = [line.get("class") for line in svg.iter(f"{SVG}line")]
        assert classes.count("chart-line") == 2 and classes.count("chart-target") == 1
