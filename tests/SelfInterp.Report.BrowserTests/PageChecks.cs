namespace SelfInterp.Report.BrowserTests;

/// <summary>Scripts run in the page: what the browser measures after layout, which no unit test can see.</summary>
public static class PageChecks
{
    /// <summary>
    /// Every problem with text that does not fit: SVG text outside its chart (measured on screen, so rotated axis
    /// titles count as drawn), two texts of one chart overlapping, HTML text wider than its box, a chart wider than
    /// its figure, or a page that scrolls sideways.
    /// </summary>
    public const string Overflow = """
        () => {
          const problems = [];
          const r = b => `[${b.left.toFixed(1)}, ${b.top.toFixed(1)}, ${b.right.toFixed(1)}, ${b.bottom.toFixed(1)}]`;
          for (const svg of document.querySelectorAll('svg.chart')) {
            const box = svg.getBoundingClientRect();
            const texts = [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()]).filter(([, b]) => b.width > 0);
            for (const [t, b] of texts)
              if (b.left < box.left - 0.5 || b.top < box.top - 0.5 || b.right > box.right + 0.5 || b.bottom > box.bottom + 0.5)
                problems.push(`${svg.id}: text "${t.textContent}" ${r(b)} outside the chart ${r(box)}`);
            for (let i = 0; i < texts.length; i++)
              for (let j = i + 1; j < texts.length; j++) {
                const [a, p] = texts[i], [c, q] = texts[j];
                const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
                if (w > 0.5 && h > 0.5) problems.push(`${svg.id}: "${a.textContent}" ${r(p)} overlaps "${c.textContent}" ${r(q)}`);
              }
            const figure = svg.closest('figure').getBoundingClientRect();
            if (box.left < figure.left - 0.5 || box.right > figure.right + 0.5) problems.push(`${svg.id}: chart ${r(box)} wider than its figure ${r(figure)}`);
          }
          for (const el of document.querySelectorAll('h1, h2, h3, h4, p, li, th, td, figcaption, pre, .table-wrap, figure'))
            if (el.scrollWidth > el.clientWidth + 1)
              problems.push(`${el.tagName.toLowerCase()} "${el.textContent.slice(0, 60)}": content ${el.scrollWidth}px wide in a ${el.clientWidth}px box`);
          if (document.documentElement.scrollWidth > window.innerWidth)
            problems.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
          return problems;
        }
        """;

    /// <summary>Per chart: its id, points, bars, error bars, and how many points and bars lack a hover title.</summary>
    public const string Marks = """
        () => [...document.querySelectorAll('svg.chart')].map(svg => ({
          id: svg.id,
          points: svg.querySelectorAll('.point').length,
          bars: svg.querySelectorAll('.bar').length,
          errorBars: svg.querySelectorAll('.errorbar').length,
          untitled: [...svg.querySelectorAll('.point, .bar')].filter(e => !(e.querySelector('title')?.textContent ?? '').trim()).length,
          width: svg.getBoundingClientRect().width,
        }))
        """;
}
