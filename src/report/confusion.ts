/**
 * The confusion matrix of the validation set: rows are true classes, columns the predicted (most probable)
 * class. Cells are shaded by the row's share, so a rare class's errors show as plainly as a common one's.
 */
import { scaleLinear } from 'd3-scale';
import { type ValidPredictions, predictedClass, rowCount } from './predictions.js';
import { type Figure, approximateTextWidth, element, svgDocument, text } from './svg.js';

/** counts[true][predicted] */
export function confusionMatrix(predictions: ValidPredictions): number[][] {
  const k = predictions.classes.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let row = 0; row < rowCount(predictions); row++) counts[predictions.labels[row]!]![predictedClass(predictions, row)]!++;
  return counts;
}

export function confusionFigure(predictions: ValidPredictions): Figure {
  const counts = confusionMatrix(predictions);
  const classes = predictions.classes;
  const k = classes.length;
  const cell = Math.max(36, Math.min(72, Math.floor(360 / k)));
  const labelWidth = Math.min(160, 12 + Math.max(...classes.map((c) => approximateTextWidth(c, 11))));
  const left = 34 + labelWidth;
  const top = 64;
  const width = Math.max(440, left + k * cell + 20);
  const height = top + k * cell + 24 + Math.ceil(labelWidth * 0.87); // column labels are turned 60 degrees
  const shade = scaleLinear<string>().domain([0, 1]).range(['#f7fbff', '#08306b']);
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const correct = counts.reduce((sum, row, i) => sum + row[i]!, 0);

  let body = text('Confusion matrix (validation)', { x: 10, y: 18, 'font-size': 13, 'font-weight': 'bold' });
  body += text(`accuracy ${((100 * correct) / Math.max(total, 1)).toFixed(1)}% of ${total}; rows: true class, columns: predicted`, {
    class: 'note',
    x: 10,
    y: 36,
    'font-size': 12,
  });
  counts.forEach((row, t) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      const share = rowTotal > 0 ? count / rowTotal : 0;
      const x = left + p * cell;
      const y = top + t * cell;
      body += element(
        'g',
        { class: 'cell', 'data-true': classes[t], 'data-predicted': classes[p], 'data-count': count },
        element('rect', { x, y, width: cell, height: cell, fill: shade(share), stroke: '#ffffff' }) +
          text(String(count), {
            x: x + cell / 2,
            y: y + cell / 2,
            'text-anchor': 'middle',
            fill: share > 0.5 ? '#ffffff' : '#000000',
            'font-size': 12,
          }) +
          text(`${(100 * share).toFixed(0)}%`, {
            x: x + cell / 2,
            y: y + cell / 2 + 13,
            'text-anchor': 'middle',
            fill: share > 0.5 ? '#ffffff' : '#555555',
            'font-size': 9,
          }),
      );
    });
  });
  const axes = classes
    .map(
      (name, i) =>
        text(name, { x: left - 6, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end' }) +
        text(name, {
          x: 0,
          y: 0,
          'text-anchor': 'end',
          transform: `translate(${left + i * cell + cell / 2 + 4} ${top + k * cell + 6}) rotate(-60)`,
        }),
    )
    .join('');
  body += element('g', { class: 'axis' }, axes);
  body += text('true class', {
    x: 12,
    y: top + (k * cell) / 2,
    'text-anchor': 'middle',
    'font-size': 12,
    transform: `rotate(-90 12 ${top + (k * cell) / 2})`,
  });
  body += text('predicted class', { x: left + (k * cell) / 2, y: top - 8, 'text-anchor': 'middle', 'font-size': 12 });
  return {
    name: 'confusion',
    title: 'Confusion matrix',
    svg: svgDocument(width, height, 'Confusion matrix (validation)', body, { 'data-figure': 'confusion' }),
    width,
    height,
  };
}
