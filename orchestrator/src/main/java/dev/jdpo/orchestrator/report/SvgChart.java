package dev.jdpo.orchestrator.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;

/**
 * One line chart as inline SVG, drawn here so the report needs no script and no network: a polyline and a dot
 * per point for each series (x = optimizer step), with the axes' extremes labelled and a legend.
 */
final class SvgChart {

    static final List<String> COLOURS = List.of("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
            "#8c564b", "#e377c2");
    private static final int WIDTH = 520;
    private static final int HEIGHT = 240;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 16;
    private static final int BOTTOM = 40;

    private final String title;
    private final Map<String, NavigableMap<Long, Double>> series = new LinkedHashMap<>();

    SvgChart(String title) {
        this.title = title;
    }

    /** Adds a series; an empty one is left out. */
    SvgChart series(String name, NavigableMap<Long, Double> points) {
        if (!points.isEmpty()) {
            series.put(name, points);
        }
        return this;
    }

    String title() {
        return title;
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    String svg() {
        long minX = Long.MAX_VALUE;
        long maxX = Long.MIN_VALUE;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (NavigableMap<Long, Double> points : series.values()) {
            minX = Math.min(minX, points.firstKey());
            maxX = Math.max(maxX, points.lastKey());
            for (double y : points.values()) {
                if (Double.isFinite(y)) {
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        if (!(minY <= maxY)) {
            minY = 0;
            maxY = 1;
        }
        if (minY == maxY) {
            double pad = minY == 0 ? 1 : Math.abs(minY) * 0.1;
            minY -= pad;
            maxY += pad;
        }
        long spanX = Math.max(1, maxX - minX);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
                WIDTH, HEIGHT, WIDTH, HEIGHT, Html.escape(title)));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" "
                + "fill=\"#ffffff\" stroke=\"#bbbbbb\"/>", LEFT, TOP, plotW, plotH));
        text(svg, LEFT - 6, TOP + 4, "end", Html.number(maxY));
        text(svg, LEFT - 6, TOP + plotH, "end", Html.number(minY));
        text(svg, LEFT, TOP + plotH + 16, "start", String.valueOf(minX));
        text(svg, LEFT + plotW, TOP + plotH + 16, "end", String.valueOf(maxX));
        text(svg, LEFT + plotW / 2, TOP + plotH + 16, "middle", "step");
        int colour = 0;
        for (Map.Entry<String, NavigableMap<Long, Double>> entry : series.entrySet()) {
            String stroke = COLOURS.get(colour % COLOURS.size());
            StringBuilder path = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (Map.Entry<Long, Double> point : entry.getValue().entrySet()) {
                if (!Double.isFinite(point.getValue())) {
                    continue;
                }
                double x = LEFT + plotW * (point.getKey() - minX) / spanX;
                double y = TOP + plotH * (maxY - point.getValue()) / (maxY - minY);
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                dots.append(String.format(Locale.ROOT, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
                        + "fill=\"%s\"><title>%s step %d: %s</title></circle>", x, y, stroke,
                        Html.escape(entry.getKey()), point.getKey(), Html.number(point.getValue())));
            }
            svg.append("<path class=\"line\" d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(stroke)
                    .append("\" stroke-width=\"2\"/>").append(dots);
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                    LEFT + 8, TOP + 8 + 14 * colour, stroke));
            text(svg, LEFT + 22, TOP + 17 + 14 * colour, "start", entry.getKey());
            colour++;
        }
        return svg.append("</svg>").toString();
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"11\" "
                + "fill=\"#333333\">%s</text>", x, y, anchor, Html.escape(text)));
    }
}
