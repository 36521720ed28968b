/** A delivery thread that can never start (as with a missing or broken build): it throws at once. */
throw new Error('this delivery thread cannot start');
