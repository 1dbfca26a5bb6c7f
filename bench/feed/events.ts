import type { TimetableEvent } from '../../src/core/index.ts';

/** `count` ADE-like classes, five a day from 7 September 2026. */
export function makeBenchEvents(count: number, now: Date): TimetableEvent[] {
  const day = 86_400_000;
  const monday = Date.UTC(2026, 8, 7, 6, 0, 0);
  const subjects = ['Mathématiques', 'Physique', 'Systèmes d’exploitation', 'Anglais', 'Réseaux'];
  return Array.from({ length: count }, (_, index) => {
    const startsAt = new Date(monday + Math.floor(index / 5) * day + (index % 5) * 7_200_000);
    return {
      uid: `bench-${index}@ade`,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 6_600_000),
      allDay: false,
      title: `${index % 3 === 0 ? 'CM' : 'TD'} ${subjects[index % subjects.length] ?? ''}`,
      location: `Bâtiment ${String.fromCharCode(65 + (index % 4))}, salle ${100 + (index % 40)}`,
      teacher: `Enseignant ${index % 17}`,
      description: `Groupe ${index % 6}. Séance ${index}.`,
      status: 'confirmed',
      category: index % 3 === 0 ? 'CM' : 'TD',
      course: subjects[index % subjects.length] ?? '',
      groups: [`G${index % 6}`],
      raw: { created: now.toISOString() },
    };
  });
}
