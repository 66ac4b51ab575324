import { random } from './messy-csv.js';

/**
 * A seeded table shaped like the Titanic passenger list: an id, names with quoted commas, text categories
 * (sex, port), a yes/no column, ages with empty and NA cells, mixed text-and-number tickets, mostly empty
 * cabins, and a 0/1 label that depends on sex, class and age (with noise), written with CRLF line ends.
 * Also returns the majority-class share, the baseline a model has to beat.
 */
export function titanicLike(rows: number, seed = 1): { text: string; majority: number } {
  const r = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)];
  const lines = ['PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked,Alone'];
  let survived = 0;
  for (let i = 1; i <= rows; i++) {
    const pclass = pick([1, 2, 3, 3, 3]);
    const sex = r() < 0.36 ? 'female' : 'male';
    const age = Math.max(1, Math.round(30 + (r() + r() + r() - 1.5) * 25));
    const sibsp = pick([0, 0, 0, 1, 1, 2]), parch = pick([0, 0, 0, 0, 1, 2]);
    const fare = (pclass === 1 ? 60 : pclass === 2 ? 20 : 8) * (0.5 + r() * 1.5);
    const score = (sex === 'female' ? 2.2 : -1.1) + (2 - pclass) * 0.9 + (age < 12 ? 1.2 : 0) + (r() - 0.5) * 1.5;
    const label = score > 0 ? 1 : 0;
    survived += label;
    const title = sex === 'female' ? pick(['Mrs.', 'Miss.']) : pick(['Mr.', 'Master.']);
    const name = `"${pick(['Braund', 'Allen', 'Moran', 'Heikkinen', 'Futrelle'])}${i}, ${title} ${pick(['Owen', 'John', 'Anna', 'Laina'])}"`;
    const ticket = r() < 0.7 ? String(100000 + Math.floor(r() * 300000)) : `${pick(['A/5', 'PC', 'STON/O2.'])} ${Math.floor(r() * 30000)}`;
    const cabin = pclass === 1 && r() < 0.7 ? `${pick(['B', 'C', 'E'])}${Math.floor(r() * 120)}` : '';
    const ageCell = r() < 0.2 ? pick(['', '', 'NA']) : String(age);
    const embarked = r() < 0.01 ? '' : pick(['S', 'S', 'S', 'C', 'Q']);
    const alone = sibsp + parch === 0 ? 'yes' : 'no';
    lines.push([i, label, pclass, name, sex, ageCell, sibsp, parch, ticket, fare.toFixed(4), cabin, embarked, alone].join(','));
  }
  return { text: lines.join('\r\n') + '\r\n', majority: Math.max(survived, rows - survived) / rows };
}
