import type { TrainingCourse } from '../db/schema';

export interface GroupPrice {
  seats: number;
  price_per_seat_cents: number;
  free_seats: number;
  discount_cents: number;
  total_cents: number;
  rule: string | null;
}

type PricedCourse = Pick<TrainingCourse, 'cost_cents' | 'group_rule' | 'group_n' | 'group_min_seats' | 'group_percent'>;

/**
 * The price of booking `seats` seats of a course together, in integer cents. "One free in every N": N = 4 →
 * book 4 pay 3, book 8 pay 6, book 9 pay 7. "P% off from N seats": the whole booking at P% off, rounded to the cent.
 */
export function priceBooking(course: PricedCourse, seats: number): GroupPrice {
  const list = course.cost_cents * seats;
  let free = 0;
  let total = list;
  let rule: string | null = null;
  if (course.group_rule === 'every_n_free' && course.group_n) {
    free = Math.floor(seats / course.group_n);
    total = (seats - free) * course.cost_cents;
    rule = `one free seat in every ${course.group_n}`;
  } else if (course.group_rule === 'percent_off' && course.group_percent && course.group_min_seats) {
    rule = `${course.group_percent}% off from ${course.group_min_seats} seats`;
    if (seats >= course.group_min_seats) total = Math.round((list * (100 - course.group_percent)) / 100);
  }
  return {
    seats,
    price_per_seat_cents: course.cost_cents,
    free_seats: free,
    discount_cents: list - total,
    total_cents: total,
    rule,
  };
}

export function describeRule(course: PricedCourse): string | null {
  return priceBooking(course, 1).rule;
}
