//! A wholesaler's answers on the lines of a purchase request: available (possibly fewer pieces),
//! backorder (미송, with an expected date) or sold out (품절); their validation, their effect on
//! the lines, the order state they lead to and the refund for pieces that will not ship.

use crate::date::CalendarDate;
use crate::messages;
use ddhub_domain::order::{LineState, OrderLine, OrderState};
use ddhub_domain::{Currency, Locale, Money, OrderLineId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The body of `POST /api/v1/purchase-requests/{id}/answer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub lines: Vec<LineAnswer>,
}

/// What a wholesaler says of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Available,
    Backorder,
    SoldOut,
}

/// One line's answer as posted. `quantity` (partial pieces) may go with `available` and
/// `backorder` and defaults to the ordered quantity; `expected_date` goes with `backorder` only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineAnswer {
    pub line_id: OrderLineId,
    pub answer: AnswerKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date: Option<String>,
}

/// A checked answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Outcome {
    Available {
        quantity: u32,
    },
    Backorder {
        quantity: u32,
        expected_date: CalendarDate,
    },
    SoldOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ValidatedAnswer {
    pub line_id: OrderLineId,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Why one answer is refused. The tag `code` is stable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AnswerReason {
    UnknownLine,
    DuplicateAnswer,
    LineClosed,
    /// The hub has received the line's pieces: its answer can no longer change.
    LineReceived,
    BadQuantity {
        min: i64,
        max: i64,
    },
    QuantityExceedsOrdered {
        ordered: u32,
        given: i64,
    },
    MissingExpectedDate,
    BadDate,
    DateInPast {
        today: CalendarDate,
        given: CalendarDate,
    },
    UnexpectedExpectedDate,
    UnexpectedQuantity,
}

impl AnswerReason {
    pub fn code(&self) -> &'static str {
        match self {
            AnswerReason::UnknownLine => "unknown_line",
            AnswerReason::DuplicateAnswer => "duplicate_answer",
            AnswerReason::LineClosed => "line_closed",
            AnswerReason::LineReceived => "line_received",
            AnswerReason::BadQuantity { .. } => "bad_quantity",
            AnswerReason::QuantityExceedsOrdered { .. } => "quantity_exceeds_ordered",
            AnswerReason::MissingExpectedDate => "missing_expected_date",
            AnswerReason::BadDate => "bad_date",
            AnswerReason::DateInPast { .. } => "date_in_past",
            AnswerReason::UnexpectedExpectedDate => "unexpected_expected_date",
            AnswerReason::UnexpectedQuantity => "unexpected_quantity",
        }
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            AnswerReason::BadQuantity { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            AnswerReason::QuantityExceedsOrdered { ordered, given } => {
                vec![
                    ("ordered", ordered.to_string()),
                    ("given", given.to_string()),
                ]
            }
            AnswerReason::DateInPast { today, given } => {
                vec![("today", today.to_string()), ("given", given.to_string())]
            }
            _ => Vec::new(),
        }
    }
}

/// One refused answer; `index` is its position in the posted list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerProblem {
    pub index: usize,
    pub line_id: OrderLineId,
    #[serde(flatten)]
    pub reason: AnswerReason,
}

impl AnswerProblem {
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }
    /// Wholesalers read Korean: the server shows `ko` first.
    pub fn message(&self, locale: Locale) -> String {
        messages::message(self.code(), locale, &self.reason.args())
    }
}

/// Answers refused as a whole (nothing is applied); the server answers 422.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} answer(s) refused", problems.len())]
pub struct AnswerRejection {
    pub problems: Vec<AnswerProblem>,
}

impl AnswerRejection {
    pub fn code(&self) -> &'static str {
        "answers_invalid"
    }
}

/// Checks answers against the lines of one purchase request.
///
/// Each line may be answered at most once per call, and only lines of this request. Lines
/// may be answered again by a later call (a backorder that turns out sold out) unless the line
/// was cancelled. Quantities run from 1 to the ordered quantity (zero pieces is `sold_out`).
/// A backorder's expected date is `yyyy-mm-dd` and not before `today` (the hub's date in Seoul).
pub fn validate_answers(
    request_lines: &[OrderLine],
    answers: &[LineAnswer],
    today: CalendarDate,
) -> Result<Vec<ValidatedAnswer>, AnswerRejection> {
    validate_answers_before_pickup(request_lines, answers, today, &HashSet::new())
}

/// [`validate_answers`] for lines some of which the hub has received (`received`): an answer
/// may change (미송 → 가능, fewer pieces, 품절) until the pieces are picked up and counted in,
/// and never after, since the count at the hub is then what the order holds.
pub fn validate_answers_before_pickup(
    request_lines: &[OrderLine],
    answers: &[LineAnswer],
    today: CalendarDate,
    received: &HashSet<OrderLineId>,
) -> Result<Vec<ValidatedAnswer>, AnswerRejection> {
    let by_id: BTreeMap<OrderLineId, &OrderLine> =
        request_lines.iter().map(|l| (l.id, l)).collect();
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (index, a) in answers.iter().enumerate() {
        let mut refuse = |reason| {
            problems.push(AnswerProblem {
                index,
                line_id: a.line_id,
                reason,
            })
        };
        let Some(line) = by_id.get(&a.line_id) else {
            refuse(AnswerReason::UnknownLine);
            continue;
        };
        if !seen.insert(a.line_id) {
            refuse(AnswerReason::DuplicateAnswer);
            continue;
        }
        if line.state == LineState::Cancelled {
            refuse(AnswerReason::LineClosed);
            continue;
        }
        if received.contains(&a.line_id) {
            refuse(AnswerReason::LineReceived);
            continue;
        }
        let quantity = match a.quantity {
            None => Some(line.quantity),
            Some(q) if q < 1 => {
                refuse(AnswerReason::BadQuantity {
                    min: 1,
                    max: i64::from(line.quantity),
                });
                None
            }
            Some(q) => match u32::try_from(q) {
                Ok(v) if v <= line.quantity => Some(v),
                _ => {
                    refuse(AnswerReason::QuantityExceedsOrdered {
                        ordered: line.quantity,
                        given: q,
                    });
                    None
                }
            },
        };
        let outcome = match a.answer {
            AnswerKind::Available => {
                if a.expected_date.is_some() {
                    refuse(AnswerReason::UnexpectedExpectedDate);
                    continue;
                }
                quantity.map(|quantity| Outcome::Available { quantity })
            }
            AnswerKind::SoldOut => {
                if a.expected_date.is_some() {
                    refuse(AnswerReason::UnexpectedExpectedDate);
                    continue;
                }
                if a.quantity.is_some() {
                    refuse(AnswerReason::UnexpectedQuantity);
                    continue;
                }
                Some(Outcome::SoldOut)
            }
            AnswerKind::Backorder => {
                let date = match a.expected_date.as_deref().map(str::trim) {
                    None | Some("") => {
                        refuse(AnswerReason::MissingExpectedDate);
                        None
                    }
                    Some(d) => match d.parse::<CalendarDate>() {
                        Err(_) => {
                            refuse(AnswerReason::BadDate);
                            None
                        }
                        Ok(d) if d < today => {
                            refuse(AnswerReason::DateInPast { today, given: d });
                            None
                        }
                        Ok(d) => Some(d),
                    },
                };
                match (quantity, date) {
                    (Some(quantity), Some(expected_date)) => Some(Outcome::Backorder {
                        quantity,
                        expected_date,
                    }),
                    _ => None,
                }
            }
        };
        if let Some(outcome) = outcome {
            out.push(ValidatedAnswer {
                line_id: a.line_id,
                outcome,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AnswerRejection { problems })
    }
}

/// A line's state before and after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineChange {
    pub line_id: OrderLineId,
    pub from: LineState,
    pub to: LineState,
    pub confirmed_quantity: u32,
    pub outcome: Outcome,
}

/// Sets `state` and `confirmed_quantity` of the answered lines. Answers for lines not in
/// `lines` are ignored (validation has refused them already).
pub fn apply_answers(lines: &mut [OrderLine], answers: &[ValidatedAnswer]) -> Vec<LineChange> {
    let mut changes = Vec::new();
    for a in answers {
        let Some(line) = lines.iter_mut().find(|l| l.id == a.line_id) else {
            continue;
        };
        let (state, confirmed) = match a.outcome {
            Outcome::Available { quantity } => (LineState::Available, quantity),
            Outcome::Backorder { quantity, .. } => (LineState::Backorder, quantity),
            Outcome::SoldOut => (LineState::SoldOut, 0),
        };
        // The same answer again (answers may change until pickup) is no change: no event.
        // A 미송 answered again may carry a new date, which the line does not hold: it is one.
        let backorder = matches!(a.outcome, Outcome::Backorder { .. });
        if !backorder && line.state == state && line.confirmed_quantity == confirmed {
            continue;
        }
        changes.push(LineChange {
            line_id: line.id,
            from: line.state,
            to: state,
            confirmed_quantity: confirmed,
            outcome: a.outcome,
        });
        line.state = state;
        line.confirmed_quantity = confirmed;
    }
    changes
}

/// The order state the lines call for, while wholesalers answer:
///
/// - some line still `pending` → `awaiting_wholesalers`;
/// - no piece confirmed at all (every line sold out or cancelled) → `cancelled`: there is
///   nothing to pack, and the whole amount is refunded;
/// - every line confirmed in full (available or backordered: 미송 pieces will ship) →
///   `confirmed`;
/// - otherwise → `partially_confirmed`.
pub fn derive_state(lines: &[OrderLine]) -> OrderState {
    if lines.iter().any(|l| l.state == LineState::Pending) {
        return OrderState::AwaitingWholesalers;
    }
    if lines.iter().all(|l| l.confirmed_quantity == 0) {
        return OrderState::Cancelled;
    }
    let full = lines.iter().all(|l| {
        matches!(l.state, LineState::Available | LineState::Backorder)
            && l.confirmed_quantity >= l.quantity
    });
    if full {
        OrderState::Confirmed
    } else {
        OrderState::PartiallyConfirmed
    }
}

/// Money that does not add up (more than i64 minor units, or mixed currencies).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount out of range")]
    Overflow,
    #[error("a line is priced in {line} but the order is in {order}")]
    MixedCurrency { order: Currency, line: Currency },
}

impl AmountError {
    pub fn code(&self) -> &'static str {
        match self {
            AmountError::Overflow => "amount_overflow",
            AmountError::MixedCurrency { .. } => "mixed_currency",
        }
    }
}

/// What the partner is owed back: the sum of [`OrderLine::refund`] over the answered lines
/// (pending lines owe nothing yet).
pub fn refund_due(lines: &[OrderLine], currency: Currency) -> Result<Money, AmountError> {
    let mut minor: i64 = 0;
    for l in lines.iter().filter(|l| l.state != LineState::Pending) {
        if l.unit_price.currency != currency {
            return Err(AmountError::MixedCurrency {
                order: currency,
                line: l.unit_price.currency,
            });
        }
        let missing = l.quantity.saturating_sub(l.confirmed_quantity);
        let line_refund = l
            .unit_price
            .minor
            .checked_mul(i64::from(missing))
            .ok_or(AmountError::Overflow)?;
        debug_assert_eq!(line_refund, l.refund().minor);
        minor = minor
            .checked_add(line_refund)
            .ok_or(AmountError::Overflow)?;
    }
    Ok(Money { minor, currency })
}
