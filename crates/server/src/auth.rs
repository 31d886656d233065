//! Who is calling: API keys sent as `Authorization: Bearer ddh_…`, checked on every request.

use crate::error::{ApiError, ErrorCode};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ddhub_app::AppState;
use ddhub_domain::{OperatorId, PartnerId, WholesalerId};
use ddhub_store::keys::{self, KeyRejection, Principal};

async fn principal(parts: &Parts, state: &AppState) -> Result<Principal, ApiError> {
    let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(ApiError::new(ErrorCode::AuthMissing));
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::new(ErrorCode::AuthMalformed))?;
    let (scheme, key) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| ApiError::new(ErrorCode::AuthMalformed))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::new(ErrorCode::AuthMalformed));
    }
    match keys::verify(&state.store, key.trim()).await? {
        Ok(p) => Ok(p),
        Err(KeyRejection::Malformed) => Err(ApiError::new(ErrorCode::AuthMalformed)),
        Err(KeyRejection::Invalid) => Err(ApiError::new(ErrorCode::AuthInvalidKey)),
        Err(KeyRejection::Revoked) => Err(ApiError::new(ErrorCode::AuthRevoked)),
    }
}

/// A request made with a wholesaler key.
#[derive(Debug, Clone, Copy)]
pub struct WholesalerAuth(pub WholesalerId);

impl FromRequestParts<AppState> for WholesalerAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(parts, state).await? {
            Principal::Wholesaler(id) => Ok(WholesalerAuth(id)),
            Principal::Partner(_) | Principal::Operator(_) => {
                Err(ApiError::new(ErrorCode::AuthWrongRole).arg("role", "wholesaler"))
            }
        }
    }
}

/// A request made with a partner key.
#[derive(Debug, Clone, Copy)]
pub struct PartnerAuth(pub PartnerId);

impl FromRequestParts<AppState> for PartnerAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(parts, state).await? {
            Principal::Partner(id) => Ok(PartnerAuth(id)),
            Principal::Wholesaler(_) | Principal::Operator(_) => {
                Err(ApiError::new(ErrorCode::AuthWrongRole).arg("role", "partner"))
            }
        }
    }
}

/// A request made with a hub operator key (`ddh_o_…`).
#[derive(Debug, Clone, Copy)]
pub struct OperatorAuth(pub OperatorId);

impl FromRequestParts<AppState> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(parts, state).await? {
            Principal::Operator(id) => Ok(OperatorAuth(id)),
            Principal::Wholesaler(_) | Principal::Partner(_) => {
                Err(ApiError::new(ErrorCode::AuthWrongRole).arg("role", "operator"))
            }
        }
    }
}

/// A request made with a partner or an operator key: reads both may make (a shipment is the
/// operator's, and the partner's whose orders it carries).
#[derive(Debug, Clone, Copy)]
pub enum PartnerOrOperator {
    Partner(PartnerId),
    Operator(OperatorId),
}

impl FromRequestParts<AppState> for PartnerOrOperator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match principal(parts, state).await? {
            Principal::Partner(id) => Ok(PartnerOrOperator::Partner(id)),
            Principal::Operator(id) => Ok(PartnerOrOperator::Operator(id)),
            Principal::Wholesaler(_) => {
                Err(ApiError::new(ErrorCode::AuthWrongRole).arg("role", "partner or operator"))
            }
        }
    }
}
