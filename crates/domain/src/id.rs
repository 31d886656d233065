//! Typed identifiers: a style id can never be passed where a wholesaler id is wanted.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    )*};
}

id_type!(
    /// A wholesaler (도매상): one shop in a Dongdaemun building.
    WholesalerId,
    /// A style (상품): one product of one wholesaler, with its colour × size SKUs.
    StyleId,
    /// A SKU: one colour × size of a style.
    SkuId,
    /// A photo of a style.
    PhotoId,
    /// A partner marketplace.
    PartnerId,
    /// An export order placed by a partner.
    OrderId,
    /// One line of an export order.
    OrderLineId,
    /// A purchase request (발주): the part of an order that goes to one wholesaler.
    PurchaseRequestId,
    /// A durable background job.
    JobId,
    /// An API key's row (not its secret).
    ApiKeyId,
    /// A hub operator (pickup, packing, shipping), with `ddh_o_…` keys.
    OperatorId,
);
